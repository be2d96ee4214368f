import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { PgliteDatabase } from './pglite-database.js';
import { PostgresDatabase } from './postgres-database.js';

/** PostgreSQL when a URL is given, otherwise the embedded database in `dataDir` (in memory if absent). */
export async function openDatabase(options: { url?: string; dataDir?: string }): Promise<Database> {
  const db = options.url ? new PostgresDatabase(options.url) : await PgliteDatabase.open(options.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
