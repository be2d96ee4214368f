import type { Database, SqlClient } from './database.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Any fixed number: all Unichart processes on one database agree on it. */
const MIGRATION_LOCK = 727274;

/**
 * Brings the schema up to date. Each migration runs in its own transaction under an advisory
 * lock, so several server copies starting together apply it once. A database already at a
 * newer version than this code is refused rather than written to.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const ordered = checkMigrations(migrations);
  const latestKnown = Math.max(0, ...ordered.map((m) => m.version));
  return db.asOwner(async (client) => {
    const applied: number[] = [];
    for (;;) {
      const next = await inTransaction(client, async () => {
        // The lock comes first: two processes creating the bookkeeping table at the same
        // moment would otherwise collide in the catalog (duplicate pg_type entry).
        await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
        await client.exec(`CREATE TABLE IF NOT EXISTS unichart_migration (
          version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        const rows = await client.query<{ version: number }>('SELECT version FROM unichart_migration');
        const done = new Set(rows.map((r) => Number(r.version)));
        const newest = Math.max(0, ...done);
        if (newest > latestKnown) {
          throw new Error(`The database schema is at version ${newest}, newer than this Unichart (${latestKnown}). Upgrade Unichart first.`);
        }
        const pending = ordered.find((m) => !done.has(m.version));
        if (!pending) return undefined;
        try {
          await client.exec(pending.sql);
        } catch (error) {
          throw new Error(`Migration ${pending.version} (${pending.name}) failed and was rolled back: ${(error as Error).message}`, { cause: error });
        }
        await client.query('INSERT INTO unichart_migration (version, name) VALUES ($1, $2)', [pending.version, pending.name]);
        return pending.version;
      });
      if (next === undefined) return applied;
      applied.push(next);
    }
  });
}

/** In version order; two migrations claiming one version is a packaging mistake, refused before anything runs. */
function checkMigrations(migrations: readonly Migration[]): Migration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1) throw new Error(`Migration ${m.name} has version ${m.version}; versions are whole numbers from 1`);
    const previous = ordered[i - 1];
    if (previous?.version === m.version) throw new Error(`Migrations ${previous.name} and ${m.name} both have version ${m.version}`);
  });
  return ordered;
}

async function inTransaction<T>(client: SqlClient, work: () => Promise<T>): Promise<T> {
  await client.exec('BEGIN');
  try {
    const result = await work();
    await client.exec('COMMIT');
    return result;
  } catch (error) {
    await client.exec('ROLLBACK');
    throw error;
  }
}
