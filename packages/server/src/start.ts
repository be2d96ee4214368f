import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { createPractice, listPractices, type Practice } from './practice/practices.js';

/** Opens (and migrates) the configured database: PostgreSQL if DATABASE_URL is set, else PGlite in the data folder. */
export async function openConfiguredDatabase(config: ServerConfig): Promise<Database> {
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
  return openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
}

/** The practice this server serves; the first start creates it. */
export async function ensurePractice(db: Database, name: string): Promise<Practice> {
  const [first] = await listPractices(db);
  return first ?? createPractice(db, name);
}

export async function startServer(config: ServerConfig): Promise<{ app: FastifyInstance; db: Database }> {
  const db = await openConfiguredDatabase(config);
  const practice = await ensurePractice(db, config.practiceName);
  const app = await buildApp({ db, practiceId: practice.id, baseUrl: config.baseUrl, logger: true });
  app.addHook('onClose', () => db.close());
  await app.listen({ port: config.port, host: config.host });
  return { app, db };
}
