import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';

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
