import { describe, expect, it } from 'vitest';
import { describeError, problemFrom } from './problem.js';

describe('problemFrom', () => {
  it("shows the OperationOutcome's own words as sentences, with the coded reason and field", () => {
    const problem = problemFrom(401, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'login', diagnostics: 'Enter the 6-digit code', details: { text: 'Enter the 6-digit code from your authenticator app', coding: [{ code: 'mfa-required' }] }, expression: ['totp'] }],
    });
    expect(problem.message).toBe('Enter the 6-digit code from your authenticator app.');
    expect(problem.reason).toBe('mfa-required');
    expect(problem.field).toBe('totp');
  });

  it('joins several errors and leaves warnings out', () => {
    const problem = problemFrom(400, {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'warning', diagnostics: 'just a warning' },
        { severity: 'error', diagnostics: 'email must be an email address' },
        { severity: 'error', diagnostics: 'role must be one of administrator, nurse.' },
      ],
    });
    expect(problem.message).toBe('Email must be an email address. Role must be one of administrator, nurse.');
  });

  it('says something a person understands when the body is not an OperationOutcome', () => {
    expect(problemFrom(403, 'Forbidden').message).toBe('Your role does not allow this.');
    expect(problemFrom(502, undefined).message).toMatch(/^Something went wrong on the server/);
    expect(problemFrom(418, {}).message).toBe('The request failed (status 418).');
  });
});

describe('describeError', () => {
  it('turns a failed fetch into a connection message', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toMatch(/cannot be reached/);
  });
});
