import { describe, expect, it } from 'vitest';
import { parseLeadTimes, securityChange, securityDraftOf, securityProblems } from './settings-draft.js';

const settings = { mfaRequired: false, careTeamRestriction: true, emergencyAccessMinutes: 60 };

describe('the security settings form', () => {
  it('shows the server default automatic logoff as an empty field and sends null for it', () => {
    const draft = securityDraftOf(settings);
    expect(draft.idleMinutes).toBe('');
    expect(securityProblems(draft)).toEqual({});
    expect(securityChange(draft)).toEqual({ mfaRequired: false, careTeamRestriction: true, emergencyAccessMinutes: 60, idleMinutes: null });
  });

  it('sends a chosen logoff time as a number', () => {
    expect(securityChange({ ...securityDraftOf(settings), idleMinutes: ' 10 ' }).idleMinutes).toBe(10);
  });

  it('refuses times the server would refuse', () => {
    const draft = securityDraftOf(settings);
    expect(securityProblems({ ...draft, idleMinutes: '481' }).idleMinutes).toContain('from 1 to 480');
    expect(securityProblems({ ...draft, idleMinutes: '7.5' }).idleMinutes).toBeDefined();
    expect(securityProblems({ ...draft, emergencyAccessMinutes: '0' }).emergencyAccessMinutes).toContain('from 1 to 1440');
    expect(securityProblems({ ...draft, emergencyAccessMinutes: '' }).emergencyAccessMinutes).toBeDefined();
  });
});

describe('reminder lead times', () => {
  it('reads a list in any order, longest first', () => expect(parseLeadTimes('2, 48 24')).toEqual({ hoursBefore: [48, 24, 2] }));
  it('reads an empty list as no reminders', () => expect(parseLeadTimes('  ')).toEqual({ hoursBefore: [] }));
  it('refuses a repeated lead time', () => expect(parseLeadTimes('24, 24')).toEqual({ problem: 'Each lead time may appear once' }));
  it('refuses more than two weeks or a fraction', () => {
    expect(parseLeadTimes('337')).toHaveProperty('problem');
    expect(parseLeadTimes('1.5')).toHaveProperty('problem');
  });
});
