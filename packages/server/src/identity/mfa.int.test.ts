import { describe, expect, it } from 'vitest';
import { currentCode, nextCode } from '../test-support/authenticator-codes.js';
import { TEST_PASSWORD, useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

const login = (email: string, totp?: string) => env.server.request({ method: 'POST', url: '/auth/login', payload: { email, password: TEST_PASSWORD, ...(totp ? { totp } : {}) } });

describe('multi-factor sign-in', () => {
  it('enrols an authenticator, then asks for its code at every sign-in', async () => {
    const physician = await env.server.signInAs('physician');
    const auth = { authorization: `Bearer ${physician.token}` };
    const setup = JSON.parse((await env.server.request({ method: 'POST', url: '/auth/mfa/setup', headers: auth })).body);
    expect(setup.otpauthUri).toContain('otpauth://totp/Unichart');

    const wrong = await env.server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: auth, payload: { secret: setup.secret, totp: '000000' } });
    expect(wrong.statusCode).toBe(400);
    const confirmed = await env.server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: auth, payload: { secret: setup.secret, totp: await currentCode(setup.secret) } });
    expect(confirmed.statusCode).toBe(204);

    const stored = await env.db.query<{ mfa_secret: string }>(env.server.practice.id, 'SELECT mfa_secret FROM user_account WHERE id = $1', [physician.accountId]);
    expect(stored[0]!.mfa_secret).not.toContain(setup.secret);

    const withoutCode = await login(physician.email);
    expect(withoutCode.statusCode).toBe(401);
    expect(JSON.parse(withoutCode.body).issue[0].diagnostics).toContain('authenticator');
    // A client tells "ask for the code" from "wrong password" by the coded reason, not by the wording.
    expect(JSON.parse(withoutCode.body).issue[0].details.coding[0]).toEqual({ system: 'https://unichart.dev/fhir/CodeSystem/sign-in-failure', code: 'mfa-required' });
    const wrongCode = await login(physician.email, '123456');
    expect(wrongCode.statusCode).toBe(401);
    expect(JSON.parse(wrongCode.body).issue[0].details.coding[0].code).toBe('mfa-invalid');
    // The code that confirmed the enrolment has been used; the next one signs in, once.
    const confirmingCode = await currentCode(setup.secret);
    expect(JSON.parse((await login(physician.email, confirmingCode)).body).issue[0].diagnostics).toContain('used already');
    const next = await nextCode(setup.secret);
    expect((await login(physician.email, next)).statusCode).toBe(200);
    const replayed = await login(physician.email, next);
    expect(replayed.statusCode).toBe(401);
    expect(JSON.parse(replayed.body).issue[0].details.coding[0].code).toBe('mfa-invalid');
    expect(JSON.parse(replayed.body).issue[0].diagnostics).toContain('used already');

    const reset = await env.server.request({ method: 'POST', url: `/admin/users/${physician.accountId}/reset-mfa`, headers: { authorization: `Bearer ${env.server.token}` } });
    expect(reset.statusCode).toBe(204);
    expect((await login(physician.email)).statusCode).toBe(200);
  });
});

describe('GET /auth/me', () => {
  it("tells the web app who is signed in, what the role may do and how long an unused session lasts", async () => {
    const frontDesk = await env.server.signInAs('front-desk');
    const me = JSON.parse((await env.server.request({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${frontDesk.token}` } })).body);
    expect(me).toMatchObject({ id: frontDesk.accountId, email: frontDesk.email, role: 'front-desk', roleName: 'Front desk', idleMinutes: 15, mfaEnabled: false });
    expect(me.policy.administration).toBeUndefined();
    expect(me.policy.rules.some((rule: { resourceTypes: string[] }) => rule.resourceTypes.includes('Appointment'))).toBe(true);
  });
});
