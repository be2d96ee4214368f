import { mkdir, readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { ServerConfig } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { AccountStore } from './identity/account-store.js';
import { createIdentity, ensureAdministrator } from './identity/identity.js';
import { createPractice, listPractices, type Practice } from './practice/practices.js';

/** Opens (and migrates) the configured database: PostgreSQL if DATABASE_URL is set, else PGlite in the data folder. */
export async function openConfiguredDatabase(config: ServerConfig): Promise<Database> {
  if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
  return openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
}

/** The first practice; the first start creates it with the default roles. */
export async function ensurePractice(db: Database, name: string): Promise<Practice> {
  const [first] = await listPractices(db);
  const practice = first ?? (await createPractice(db, name));
  await new AccountStore(db).seedDefaultRoles(practice.id);
  return practice;
}

export async function startServer(config: ServerConfig, extra: Pick<AppOptions, 'measurementWithoutGuards'> = {}): Promise<{ app: FastifyInstance; db: Database }> {
  const db = await openConfiguredDatabase(config);
  const practice = await ensurePractice(db, config.practiceName);
  const identity = await createIdentity(db, { encryptionKeys: config.encryptionKeys, identifierIndexKey: config.identifierIndexKey, signIn: { idleMinutes: config.idleMinutes } });
  const admin = await ensureAdministrator(identity.accounts, practice.id, config.adminEmail, config.adminPassword);
  if (admin.generatedPassword) {
    // Printed once, to the console only (never to the log); it is stored only as an argon2id hash.
    process.stdout.write(`\nFirst start: administrator ${config.adminEmail} with password ${admin.generatedPassword}\n\n`);
  }
  const tls = config.tlsCertFile && config.tlsKeyFile ? { cert: await readFile(config.tlsCertFile, 'utf8'), key: await readFile(config.tlsKeyFile, 'utf8') } : undefined;
  const app = await buildApp({
    ...extra,
    db,
    identity,
    baseUrl: config.baseUrl,
    webRoot: config.webDir,
    publicOrigin: `${tls ? 'https' : 'http'}://localhost:${config.port}`,
    logger: true,
    tls,
    closesDatabase: true,
    scheduling: { defaultTimeZone: config.timeZone },
    jobs: {
      channels: config.reminders,
      hoursBefore: config.reminders.hoursBefore,
      publicUrl: config.reminders.publicUrl ?? config.baseUrl?.replace(/\/fhir\/R4\/?$/, '') ?? `http://localhost:${config.port}`,
      pollMs: config.jobPollMs,
      planEveryMs: config.reminderPlanMs,
      leaseMs: config.jobLeaseMs,
    },
    protection: { corsOrigins: config.corsOrigins, requestsPerMinute: config.requestsPerMinute, signInsPerMinute: config.signInsPerMinute },
  });
  if (identity.encryptionKeyFromDatabase) app.log.warn('UNICHART_ENCRYPTION_KEYS is not set: field encryption uses a key kept in the database (fine for a demo, not for production)');
  await app.listen({ port: config.port, host: config.host });
  return { app, db };
}
