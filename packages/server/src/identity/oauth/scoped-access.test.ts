import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLES } from '../access-policy.js';
import type { Actor, AppGrant } from '../authenticator.js';
import { PolicyAccess } from '../policy-access.js';
import { ScopedAccess } from './scoped-access.js';
import { parseScopes } from './smart-scopes.js';

function actor(role: string, fhirUser?: string): Actor {
  const policy = DEFAULT_ROLES.find((r) => r.code === role)!.policy;
  return {
    tenantId: '8a1c5c52-0000-4000-8000-000000000000',
    account: { tenantId: '8a1c5c52-0000-4000-8000-000000000000', id: '8a1c5c52-0000-4000-8000-000000000001', email: 'a@b.c', displayName: role, roleCode: role, fhirUser, status: 'active', mfaEnabled: false },
    policy,
    sessionId: 's',
  };
}

function grant(scopes: string, allowed = scopes, extra: Partial<AppGrant> = {}): AppGrant {
  return { clientId: 'c', name: 'App', scopes: parseScopes(scopes).resources, allowed: parseScopes(allowed).resources, system: false, ...extra };
}

const access = (role: string, app: AppGrant, fhirUser?: string) => new ScopedAccess(new PolicyAccess(actor(role, fhirUser)), app);

describe('ScopedAccess.require', () => {
  it('needs both the role and the scope', () => {
    expect(() => access('nurse', grant('user/Observation.rs')).require('Observation', 'search')).not.toThrow();
    expect(() => access('nurse', grant('user/Observation.rs')).require('Observation', 'create')).toThrow(/access token does not allow create/);
    expect(() => access('nurse', grant('user/Observation.rs')).require('Condition', 'read')).toThrow(/does not allow read on Condition/);
  });

  it('a scope never widens the role', () => {
    expect(() => access('front-desk', grant('user/*.cruds')).require('Observation', 'create')).toThrow(/front-desk/);
    expect(() => access('front-desk', grant('user/*.cruds')).require('Patient', 'create')).not.toThrow();
  });

  it('the administrator\'s allowance caps the token', () => {
    expect(() => access('nurse', grant('user/*.cruds', 'user/*.rs')).require('Observation', 'update')).toThrow();
    expect(() => access('nurse', grant('user/*.cruds', 'user/*.rs')).require('Observation', 'read')).not.toThrow();
    // The allowance counts per context: patient/ allowed does not let user/ through.
    expect(() => access('nurse', grant('user/Observation.rs', 'patient/*.rs')).require('Observation', 'read')).toThrow();
  });

  it('patient/ scopes need a patient chosen at launch', () => {
    expect(() => access('nurse', grant('patient/Observation.rs')).require('Observation', 'search')).toThrow(/no patient was chosen/);
    expect(() => access('nurse', grant('patient/Observation.rs', undefined, { patient: 'p1' })).require('Observation', 'search')).not.toThrow();
  });

  it('a patient-confined token gets nothing across all types (system history)', () => {
    expect(() => access('physician', grant('patient/*.rs', undefined, { patient: 'p1' })).require('*', 'history')).toThrow(/limited to one patient/);
    expect(() => access('physician', grant('user/*.rs')).require('*', 'history')).not.toThrow();
  });

  it('system/ scopes count only for backend services, and only they', () => {
    expect(() => access('nurse', grant('system/*.read')).require('Observation', 'read')).toThrow();
    expect(() => access('nurse', grant('user/*.read', undefined, { system: true })).require('Observation', 'read')).toThrow();
    expect(() => access('nurse', grant('system/*.read', undefined, { system: true })).require('Observation', 'read')).not.toThrow();
  });
});

describe('ScopedAccess.searchScope', () => {
  it('patient/ scopes confine searches to the launch patient\'s compartment', () => {
    const scope = access('physician', grant('patient/Observation.rs', undefined, { patient: 'p1' })).searchScope('Observation');
    expect(scope).toMatchObject({ type: 'Patient', id: 'p1' });
    expect(scope?.params).toContain('subject');
  });

  it('user/ scopes leave the role\'s reach as it is', () => {
    expect(access('physician', grant('user/Observation.rs patient/Observation.rs', undefined, { patient: 'p1' })).searchScope('Observation')).toBeUndefined();
  });

  it('a patient stays in their own compartment whatever the scope', () => {
    expect(access('patient', grant('user/*.rs'), 'Patient/me').searchScope('Observation')).toMatchObject({ type: 'Patient', id: 'me' });
  });
});
