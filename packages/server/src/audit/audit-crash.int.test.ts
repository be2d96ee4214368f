import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.js';
import { listPractices } from '../practice/practices.js';

const CLI = new URL('../../../cli/bin/unichart.js', import.meta.url).pathname;
const ADMIN = { UNICHART_ADMIN_EMAIL: 'crash@test.unichart', UNICHART_ADMIN_PASSWORD: 'kill -9 survivor passphrase' };
const pgUrl = process.env.TEST_DATABASE_URL;
let target: { env: Record<string, string>; url?: string; dataDir?: string; cleanup(): Promise<void> };

beforeAll(async () => {
  if (pgUrl) {
    const name = `unichart_crash_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    target = {
      env: { DATABASE_URL: url.toString() },
      url: url.toString(),
      async cleanup() {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), 'unichart-crash-'));
    target = { env: { UNICHART_DATA_DIR: dataDir, DATABASE_URL: '' }, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
});
afterAll(async () => target?.cleanup());

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, ...target.env, ...ADMIN, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start');
}

describe('read audit entries survive a crash', () => {
  it('every read answered before the process was killed has its AuditEvent', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = await startServer(port);
    const base = `http://127.0.0.1:${port}`;
    const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.UNICHART_ADMIN_EMAIL, password: ADMIN.UNICHART_ADMIN_PASSWORD }) });
    const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}`, 'content-type': 'application/fhir+json' };
    const created = await fetch(`${base}/fhir/R4/Patient`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Crash' }] }) });
    const id = ((await created.json()) as { id: string }).id;
    const reads = 25;
    await Promise.all(Array.from({ length: reads }, async () => expect((await fetch(`${base}/fhir/R4/Patient/${id}`, { headers })).status).toBe(200)));
    // No shutdown, no flush: the process dies the moment the last answer has arrived.
    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));

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
