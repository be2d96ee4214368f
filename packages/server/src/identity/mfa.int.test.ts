import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { openTestDatabase, startTestServer, TEST_PASSWORD, type TestServer } from '../test-support/test-database.js';

let db: Database;
let server: TestServer;

beforeAll(async () => {
  db = await openTestDatabase();
  server = await startTestServer(db);
});
afterAll(async () => {
  await server.app.close();
  await db.close();
});

const login = (email: string, totp?: string) => server.request({ method: 'POST', url: '/auth/login', payload: { email, password: TEST_PASSWORD, ...(totp ? { totp } : {}) } });

describe('multi-factor sign-in', () => {
  it('enrols an authenticator, then asks for its code at every sign-in', async () => {
    const physician = await server.signInAs('physician');
    const auth = { authorization: `Bearer ${physician.token}` };
    const setup = JSON.parse((await server.request({ method: 'POST', url: '/auth/mfa/setup', headers: auth })).body);
    expect(setup.otpauthUri).toContain('otpauth://totp/Unichart');

    const wrong = await server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: auth, payload: { secret: setup.secret, totp: '000000' } });
    expect(wrong.statusCode).toBe(400);
    const confirmed = await server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: auth, payload: { secret: setup.secret, totp: await generate({ secret: setup.secret }) } });
    expect(confirmed.statusCode).toBe(204);

    const stored = await db.query<{ mfa_secret: string }>(server.practice.id, 'SELECT mfa_secret FROM user_account WHERE id = $1', [physician.accountId]);
    expect(stored[0]!.mfa_secret).not.toContain(setup.secret);

    const withoutCode = await login(physician.email);
    expect(withoutCode.statusCode).toBe(401);
    expect(JSON.parse(withoutCode.body).issue[0].diagnostics).toContain('authenticator');
    expect((await login(physician.email, '123456')).statusCode).toBe(401);
    expect((await login(physician.email, await generate({ secret: setup.secret }))).statusCode).toBe(200);

    const reset = await server.request({ method: 'POST', url: `/admin/users/${physician.accountId}/reset-mfa`, headers: { authorization: `Bearer ${server.token}` } });
    expect(reset.statusCode).toBe(204);
    expect((await login(physician.email)).statusCode).toBe(200);
  });
});
