import { mkdir, readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { ServerConfig } from './config.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/open-database.js';
import { AccountStore } from './identity/account-store.js';
import { createIdentity, ensureAdministrator } from './identity/identity.js';
import { SearchParameterRegistry } from '@unichart/fhir';
import { StatisticsKeeper } from './db/statistics-keeper.js';
import { describeDemo } from './demo/demo-summary.js';
import { loadDemoPractice, type DemoLoadResult } from './demo/load-demo.js';
import { FhirRepository } from './fhir/repository.js';
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
  const demoRepository = new FhirRepository(db, practice.id, SearchParameterRegistry.spec());
  const demo = config.demo ? await loadDemoPractice(demoRepository, identity.accounts, { timeZone: config.timeZone, practiceName: practice.name }) : undefined;
  if (admin.generatedPassword) {
    // Printed once, to the console only (never to the log); it is stored only as an argon2id hash.
    process.stdout.write(`\nFirst start: administrator ${config.adminEmail} with password ${admin.generatedPassword}\n${demo?.status === 'loaded' ? '' : '\n'}`);
  }
  if (demo?.status === 'loaded') process.stdout.write(`${admin.generatedPassword ? '' : '\n'}${describeDemo(demo)}\n`);
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
  const charts = demo?.status === 'loaded' || demo?.status === 'resuming' ? demo : undefined;
  let stopping = false;
  let chartsLoading: Promise<void> | undefined;
  // Added last, so it runs first on close: the charts stop between batches before the database closes.
  app.addHook('onClose', async () => {
    stopping = true;
    await chartsLoading;
  });
  await app.listen({ port: config.port, host: config.host });
  if (charts) chartsLoading = loadChartsInBackground(app, db, charts, () => stopping);
  return { app, db };
}

/** The demo patients' histories, written while the server already answers; a stop in between resumes on the next start. */
async function loadChartsInBackground(app: FastifyInstance, db: Database, demo: Extract<DemoLoadResult, { loadCharts: unknown }>, stopping: () => boolean): Promise<void> {
  try {
    const charts = await demo.loadCharts(stopping);
    if (stopping()) return;
    app.log.info({ resources: charts.resources, milliseconds: charts.milliseconds }, 'demo practice: patient histories loaded');
    // PGlite gathers no statistics by itself: plans should know about the new rows.
    await new StatisticsKeeper(db).analyze({ vacuum: false });
  } catch (error) {
    app.log.error({ err: error }, 'demo practice: could not load the patient histories');
  }
}
