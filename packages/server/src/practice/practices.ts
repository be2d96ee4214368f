import { randomUUID } from 'node:crypto';
import type { Database, SqlClient } from '../db/database.js';

export interface Practice {
  readonly id: string;
  readonly name: string;
}

/** Practices are created by the platform (owner role): the application role cannot insert them. */
export async function createPractice(db: Database, name: string, id: string = randomUUID()): Promise<Practice> {
  await db.asOwner((sql) => sql.query('INSERT INTO practice (id, name) VALUES ($1, $2)', [id, name]));
  return { id, name };
}

export async function listPractices(db: Database): Promise<Practice[]> {
  return db.asOwner((sql) => sql.query<{ id: string; name: string }>('SELECT id, name FROM practice ORDER BY created_at'));
}

/** One of a practice's settings (`practice_setting`), read inside the caller's transaction. */
export async function readPracticeSetting<T>(sql: SqlClient, tenantId: string, key: string): Promise<T | undefined> {
  const rows = await sql.query<{ value: T | string }>('SELECT value FROM practice_setting WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
  const value = rows[0]?.value;
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

export async function writePracticeSetting(sql: SqlClient, tenantId: string, key: string, value: unknown): Promise<void> {
  await sql.query(
    'INSERT INTO practice_setting (tenant_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value',
    [tenantId, key, JSON.stringify(value)],
  );
}
