import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../db/migrate.js';
import { PgliteDatabase } from '../db/pglite-database.js';
import { PostgresDatabase } from '../db/postgres-database.js';

/**
 * Prepares the database once per test run. On PostgreSQL the dedicated test database is reset
 * and migrated; tests then isolate themselves by practice. On PGlite a migrated database is
 * dumped once, and each test file opens its own copy (0.7 s instead of 9 s to initialise).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
    await client.end();
    const db = new PostgresDatabase(url, 2);
    await migrate(db);
    await db.close();
    return async () => undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'unichart-test-'));
  const db = await PgliteDatabase.open();
  await migrate(db);
  const dump = await db.dumpDataDir();
  await db.close();
  const file = join(dir, 'migrated.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  process.env.UNICHART_TEST_DUMP = file;
  return async () => rm(dir, { recursive: true, force: true });
}
