import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { listPractices } from '../practice/practices.js';
import { createServerTarget, startChildServer, stopChild, type ServerTarget } from '../test-support/child-server.js';
import { freePort } from '../test-support/test-database.js';

const ADMIN = { UNICHART_ADMIN_EMAIL: 'crash@test.unichart', UNICHART_ADMIN_PASSWORD: 'kill -9 survivor passphrase' };
let target: ServerTarget;

beforeAll(async () => {
  target = await createServerTarget('crash');
});
afterAll(async () => target?.cleanup());

describe('read audit entries survive a crash', () => {
  it('every read answered before the process was killed has its AuditEvent', async () => {
    const port = await freePort();
    const server = await startChildServer(port, { ...target.env, ...ADMIN });
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.UNICHART_ADMIN_EMAIL, password: ADMIN.UNICHART_ADMIN_PASSWORD }) });
    const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}`, 'content-type': 'application/fhir+json' };
    const created = await fetch(`${base}/fhir/R4/Patient`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Crash' }] }) });
    const id = ((await created.json()) as { id: string }).id;
    const reads = 25;
    await Promise.all(Array.from({ length: reads }, async () => expect((await fetch(`${base}/fhir/R4/Patient/${id}`, { headers })).status).toBe(200)));
    // No shutdown, no flush: the process dies the moment the last answer has arrived.
    await stopChild(server, 'SIGKILL');

    const db = await openDatabase({ url: target.url, dataDir: target.dataDir });
    try {
      const [practice] = await listPractices(db);
      const rows = await db.query<{ n: number }>(practice!.id, "SELECT count(*)::int AS n FROM audit_event WHERE type = 'read' AND entity = $1", [`Patient/${id}`]);
      expect(Number(rows[0]!.n)).toBe(reads);
    } finally {
      await db.close();
    }
  }, 120_000);
});
