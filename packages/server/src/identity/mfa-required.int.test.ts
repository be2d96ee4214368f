import { currentCode, nextCode } from '../test-support/authenticator-codes.js';
import { describe, expect, it } from 'vitest';
import { TEST_PASSWORD, useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

const login = (email: string, totp?: string) =>
  env.server.request({ method: 'POST', url: '/auth/login', payload: { email, password: TEST_PASSWORD, ...(totp ? { totp } : {}) } });
const as = (token: string) => ({ authorization: `Bearer ${token}` });
const admin = () => as(env.server.token);
const setMfaRequired = (mfaRequired: boolean) => env.server.request({ method: 'PUT', url: '/admin/settings/security', headers: admin(), payload: { mfaRequired } });
const auditTypes = async () =>
  (await env.db.query<{ type: string; content: string }>(env.server.practice.id, 'SELECT type, content FROM audit_event WHERE tenant_id = $1 ORDER BY seq', [env.server.practice.id])).map((r) => ({
    type: r.type,
    event: JSON.parse(r.content),
  }));

describe('the practice requires MFA for administrators and prescribers', () => {
  it('is a setting only an administrator changes, and each change is on the audit trail', async () => {
    expect((await env.server.request({ method: 'GET', url: '/admin/settings/security', headers: admin() })).json()).toMatchObject({ mfaRequired: false, careTeamRestriction: false });
    const nurse = await env.server.signInAs('nurse');
    expect((await env.server.request({ method: 'PUT', url: '/admin/settings/security', headers: as(nurse.token), payload: { mfaRequired: true } })).statusCode).toBe(403);
    const wrong = await env.server.request({ method: 'PUT', url: '/admin/settings/security', headers: admin(), payload: { mfaRequired: 'yes' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().resourceType).toBe('OperationOutcome');
    expect((await env.server.request({ method: 'PUT', url: '/admin/settings/security', headers: admin(), payload: { lockdown: true } })).statusCode).toBe(400);

    const on = await setMfaRequired(true);
    expect(on.statusCode).toBe(200);
    expect(on.json().mfaRequired).toBe(true);
    const change = (await auditTypes()).filter((e) => e.type === 'setting-update');
    expect(change).toHaveLength(1);
    expect(change[0]!.event.outcomeDesc).toContain('mfaRequired: false -> true');
    expect(change[0]!.event.type.code).toBe('110129');
    await setMfaRequired(false);
  });

  it('marks administrators and physicians as requiring MFA in the role data, not nurses or the front desk', async () => {
    const roles = (await env.server.request({ method: 'GET', url: '/admin/roles', headers: admin() })).json() as { code: string; policy: { requiresMfa?: boolean } }[];
    const requiring = roles.filter((r) => r.policy.requiresMfa).map((r) => r.code);
    expect(requiring.sort()).toEqual(['administrator', 'physician']);
  });

  it('gives a physician without MFA a session that may only enrol it, then asks for the code', async () => {
    await setMfaRequired(true);
    try {
      const physician = await env.server.signInAs('physician').catch(() => undefined);
      // signInAs expects a full session: the enrolment-only answer has no refresh token, so sign in by hand.
      const email = physician?.email ?? '';
      expect(email).not.toBe('');
      const first = await login(email);
      expect(first.statusCode).toBe(200);
      const body = first.json();
      expect(body.mfa_enrolment_required).toBe(true);
      expect(body.refresh_token).toBeUndefined();
      expect(body.message).toContain('/auth/mfa/setup');

      // The restricted token reaches nothing but enrolment.
      const denied = await env.server.request({ method: 'GET', url: '/fhir/R4/Patient', headers: as(body.access_token) });
      expect(denied.statusCode).toBe(403);
      expect(denied.json().issue[0].details.coding[0].code).toBe('mfa-enrolment-required');
      expect((await env.server.request({ method: 'GET', url: '/admin/users', headers: as(body.access_token) })).statusCode).toBe(403);
      expect((await env.server.request({ method: 'GET', url: '/auth/me', headers: as(body.access_token) })).json().restriction).toBe('mfa-enrolment');

      const { secret } = (await env.server.request({ method: 'POST', url: '/auth/mfa/setup', headers: as(body.access_token) })).json();
      const confirmed = await env.server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: as(body.access_token), payload: { secret, totp: await currentCode(secret) } });
      expect(confirmed.statusCode).toBe(204);
      // Its one job done, the enrolment session is over.
      expect((await env.server.request({ method: 'GET', url: '/auth/me', headers: as(body.access_token) })).statusCode).toBe(401);

      expect((await login(email)).json().issue[0].details.coding[0].code).toBe('mfa-required');
      const full = await login(email, await nextCode(secret));
      expect(full.statusCode).toBe(200);
      expect(full.json().refresh_token).toEqual(expect.any(String));
      expect((await env.server.request({ method: 'GET', url: '/fhir/R4/Patient', headers: as(full.json().access_token) })).statusCode).toBe(200);

      const logins = (await auditTypes()).filter((e) => e.type === 'login' && e.event.outcomeDesc?.includes('enrol'));
      expect(logins.length).toBeGreaterThan(0);
    } finally {
      await setMfaRequired(false);
    }
  });

  it('leaves roles that do not require MFA, and every role while the setting is off, signing in with a password alone', async () => {
    const physician = await env.server.signInAs('physician');
    expect((await login(physician.email)).json().refresh_token).toEqual(expect.any(String));
    await setMfaRequired(true);
    try {
      const nurse = await env.server.signInAs('nurse');
      expect((await login(nurse.email)).json().refresh_token).toEqual(expect.any(String));
      expect((await login(physician.email)).json().mfa_enrolment_required).toBe(true);
    } finally {
      await setMfaRequired(false);
    }
  });

  it('refuses the SMART sign-in page to a physician without MFA, telling them to enrol', async () => {
    // The page and /auth/login share verifyCredentials; the page has no enrolment flow of its own.
    const physician = await env.server.signInAs('physician');
    await setMfaRequired(true);
    try {
      await expect(env.server.identity.signIn.verifyCredentials(physician.email, TEST_PASSWORD)).rejects.toMatchObject({ reason: 'mfa-enrolment-required', status: 401 });
    } finally {
      await setMfaRequired(false);
    }
  });
});
