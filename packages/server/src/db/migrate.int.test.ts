import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { PgliteDatabase } from './pglite-database.js';
import { PostgresDatabase } from './postgres-database.js';

/**
 * Migrations need a database nobody has migrated yet: an in-memory PGlite, or on PostgreSQL a
 * scratch database created for this file and dropped afterwards.
 */
interface FreshDatabase {
  /** Two independent connections to the same empty database (one PGlite serves both). */
  readonly first: Database;
  readonly second: Database;
  dispose(): Promise<void>;
}

async function openFreshDatabase(): Promise<FreshDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const db = await PgliteDatabase.open();
    return { first: db, second: db, dispose: () => db.close() };
  }
  const name = `unichart_migrate_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await withClient(admin.toString(), (client) => client.query(`CREATE DATABASE ${name}`));
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  const first = new PostgresDatabase(scratch.toString(), 2);
  const second = new PostgresDatabase(scratch.toString(), 2);
  return {
    first,
    second,
    async dispose() {
      await first.close();
      await second.close();
      await withClient(admin.toString(), (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let fresh: FreshDatabase;
let db: Database;

beforeAll(async () => {
  fresh = await openFreshDatabase();
  db = fresh.first;
});
afterAll(async () => {
  await fresh?.dispose();
});

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

const appliedVersions = async (): Promise<number[]> =>
  (await db.asOwner((sql) => sql.query<{ version: number }>('SELECT version FROM unichart_migration ORDER BY version'))).map((r) => Number(r.version));

const tableExists = async (table: string): Promise<boolean> =>
  (await db.asOwner((sql) => sql.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table])))[0]!.found !== null;

/** Everything a migration could change: tables and their columns, policies, recorded versions. */
const schemaSnapshot = async (): Promise<string> =>
  JSON.stringify(
    await db.asOwner(async (sql) => [
      await sql.query("SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"),
      await sql.query("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2"),
      await sql.query('SELECT version, name FROM unichart_migration ORDER BY version'),
    ]),
  );

// The stories run in order on one database: each starts where the previous one left it.
describe('migrations', () => {
  it('two servers starting together on an empty database apply each migration exactly once', async () => {
    const [a, b] = await Promise.all([migrate(fresh.first), migrate(fresh.second)]);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await appliedVersions()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await tableExists('resource')).toBe(true);
  });

  it('running migrate again applies nothing and changes nothing', async () => {
    const before = await schemaSnapshot();
    expect(await migrate(db)).toEqual([]);
    expect(await migrate(db)).toEqual([]);
    expect(await schemaSnapshot()).toBe(before);
  });

  it('a new migration is applied once, after those already there', async () => {
    const next: Migration = { version: LATEST + 1, name: 'appointment-reminder', sql: 'CREATE TABLE appointment_reminder (tenant_id uuid NOT NULL, id text NOT NULL)' };
    expect(await migrate(db, [...MIGRATIONS, next])).toEqual([next.version]);
    expect(await migrate(db, [...MIGRATIONS, next])).toEqual([]);
    expect(await tableExists('appointment_reminder')).toBe(true);
  });

  it('a failing migration rolls back entirely, names itself, and keeps the migrations before it', async () => {
    const good: Migration = { version: LATEST + 2, name: 'claim-queue', sql: 'CREATE TABLE claim_queue (id int)' };
    const bad: Migration = {
      version: LATEST + 3,
      name: 'broken-backfill',
      sql: "CREATE TABLE half_done (id int); INSERT INTO half_done VALUES (1); ALTER TABLE resource ADD COLUMN half_column text; SELECT 1 / 0;",
    };
    const after: Migration = { version: LATEST + 4, name: 'after-the-broken-one', sql: 'CREATE TABLE never_reached (id int)' };
    const known = [...MIGRATIONS, { version: LATEST + 1, name: 'appointment-reminder', sql: '' }];
    const error = await migrate(db, [...known, good, bad, after]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`Migration ${bad.version} \\(broken-backfill\\) failed.*division by zero`));
    expect(await tableExists('claim_queue')).toBe(true);
    expect(await tableExists('half_done')).toBe(false);
    expect(await tableExists('never_reached')).toBe(false);
    const columns = await db.asOwner((sql) => sql.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'resource' AND column_name = 'half_column'"));
    expect(columns).toHaveLength(0);
    expect(await appliedVersions()).toEqual([...known.map((m) => m.version), good.version]);
  });

  it('a database newer than this code is refused with a clear error, and nothing changes', async () => {
    await db.asOwner((sql) => sql.query("INSERT INTO unichart_migration (version, name) VALUES (999, 'from-a-newer-unichart')"));
    const before = await schemaSnapshot();
    const pending: Migration = { version: LATEST + 10, name: 'would-be-pending', sql: 'CREATE TABLE should_not_exist (id int)' };
    await expect(migrate(db, [...MIGRATIONS, pending])).rejects.toThrow(`The database schema is at version 999, newer than this Unichart (${pending.version}). Upgrade Unichart first.`);
    await expect(migrate(db)).rejects.toThrow(/version 999, newer than this Unichart/);
    expect(await tableExists('should_not_exist')).toBe(false);
    expect(await schemaSnapshot()).toBe(before);
  });

  it('a migration list with two migrations of the same version is refused before anything runs', async () => {
    const before = await schemaSnapshot();
    const twins: Migration[] = [
      { version: 1000, name: 'twin-a', sql: 'CREATE TABLE twin_a (id int)' },
      { version: 1000, name: 'twin-b', sql: 'CREATE TABLE twin_b (id int)' },
    ];
    await expect(migrate(db, [...MIGRATIONS, ...twins])).rejects.toThrow(/twin-a and twin-b both have version 1000/);
    expect(await schemaSnapshot()).toBe(before);
  });
});
