import type { Database, SqlClient } from './database.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/**
 * Brings the schema up to date. Each migration runs in its own transaction under an advisory
 * lock, so several server copies starting together apply it once. A database already at a
 * newer version than this code is refused rather than written to.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const latestKnown = Math.max(0, ...migrations.map((m) => m.version));
  return db.asOwner(async (client) => {
    await client.exec(`CREATE TABLE IF NOT EXISTS unichart_migration (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied: number[] = [];
    for (;;) {
      const next = await inTransaction(client, async () => {
        await client.query('SELECT pg_advisory_xact_lock(727274)');
        const rows = await client.query<{ version: number }>('SELECT version FROM unichart_migration');
        const done = new Set(rows.map((r) => Number(r.version)));
        const newest = Math.max(0, ...done);
        if (newest > latestKnown) {
          throw new Error(`The database schema is at version ${newest}, newer than this Unichart (${latestKnown}). Upgrade Unichart first.`);
        }
        const pending = migrations.find((m) => !done.has(m.version));
        if (!pending) return undefined;
        await client.exec(pending.sql);
        await client.query('INSERT INTO unichart_migration (version, name) VALUES ($1, $2)', [pending.version, pending.name]);
        return pending.version;
      });
      if (next === undefined) return applied;
      applied.push(next);
    }
  });
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
