import { describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

const as = (token: string) => ({ authorization: `Bearer ${token}` });
const setIdle = (idleMinutes: unknown) => env.server.request({ method: 'PUT', url: '/admin/settings/security', headers: as(env.server.token), payload: { idleMinutes } });
const me = (token: string) => env.server.request({ method: 'GET', url: '/auth/me', headers: as(token) });
/** Moves an account's sessions' last use into the past, as if its desk had been left alone. */
const leaveUnused = (accountId: string, minutes: number) =>
  env.db.query(env.server.practice.id, `UPDATE user_session SET last_seen_at = now() - make_interval(mins => $3) WHERE tenant_id = $1 AND user_id = $2`, [env.server.practice.id, accountId, minutes]);

describe('the practice chooses its own automatic logoff time', () => {
  it('refuses a time out of range and keeps the server default until one is set', async () => {
    for (const wrong of [0, 481, 2.5, '10']) {
      const refused = await setIdle(wrong);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().issue[0].diagnostics).toContain('idleMinutes must be a whole number of minutes from 1 to 480');
    }
    const settings = (await env.server.request({ method: 'GET', url: '/admin/settings/security', headers: as(env.server.token) })).json();
    expect(settings.idleMinutes).toBeUndefined();
    expect((await me(env.server.token)).json().idleMinutes).toBe(15);
  });

  it('ends a session unused for longer than the practice allows, and tells the app the time', async () => {
    const saved = await setIdle(5);
    expect(saved.statusCode).toBe(200);
    expect(saved.json().idleMinutes).toBe(5);
    const nurse = await env.server.signInAs('nurse');
    expect((await me(nurse.token)).json().idleMinutes).toBe(5);

    // Six minutes unused: within the server's 15, past the practice's 5.
    await leaveUnused(nurse.accountId, 6);
    expect((await me(nurse.token)).statusCode).toBe(401);
    // The administrator, active all along, is still signed in.
    expect((await me(env.server.token)).statusCode).toBe(200);
  });

  it('goes back to the server default with null', async () => {
    await setIdle(5);
    const cleared = await setIdle(null);
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().idleMinutes).toBeUndefined();
    const changes = await env.db.query<{ content: string }>(env.server.practice.id, `SELECT content FROM audit_event WHERE tenant_id = $1 AND type = 'setting-update' ORDER BY seq`, [env.server.practice.id]);
    expect(JSON.parse(changes.at(-1)!.content).outcomeDesc).toBe('Security settings changed (idleMinutes: 5 -> default)');
    const nurse = await env.server.signInAs('nurse');
    await leaveUnused(nurse.accountId, 6);
    expect((await me(nurse.token)).json().idleMinutes).toBe(15);
  });
});
