import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { SearchParameterRegistry, sharedDataDir } from '@unichart/fhir';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppOptions } from '../app.js';
import type { Database } from '../db/database.js';
import { PgliteDatabase } from '../db/pglite-database.js';
import { PostgresDatabase } from '../db/postgres-database.js';
import { FhirRepository } from '../fhir/repository.js';
import { createIdentity, type Identity } from '../identity/identity.js';
import { hashPassword } from '../identity/passwords.js';
import { createPractice, type Practice } from '../practice/practices.js';

/** The database the db tests run on: PostgreSQL when TEST_DATABASE_URL is set, else a PGlite copy. */
export async function openTestDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return new PostgresDatabase(url, 8);
  const dumpFile = process.env.UNICHART_TEST_DUMP;
  if (!dumpFile) throw new Error('UNICHART_TEST_DUMP is not set: run db tests through vitest (global setup prepares it)');
  return PgliteDatabase.fromDump(new Blob([await readFile(dumpFile)]));
}

/** Every test gets a practice of its own; practices are isolated by row-level security. */
export function newPractice(db: Database): Promise<Practice> {
  return createPractice(db, `Test practice ${randomUUID().slice(0, 8)}`);
}

export function repositoryFor(db: Database, practice: Practice): FhirRepository {
  return new FhirRepository(db, practice.id, SearchParameterRegistry.spec());
}

export interface FhirCall {
  (method: InjectOptions['method'], path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly practice: Practice;
  readonly identity: Identity;
  /** The FHIR base URL (a real address when the server listens). */
  readonly baseUrl: string;
  /** The administrator's access token. */
  readonly token: string;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** JSON FHIR call below /fhir/R4, signed in as the practice administrator. */
  readonly fhir: FhirCall;
  /** A new account with the role, signed in; its FHIR calls and token. */
  signInAs(role: string, options?: { fhirUser?: string; email?: string }): Promise<{ fhir: FhirCall; token: string; accountId: string; email: string }>;
  signIn(email: string, password: string): Promise<string>;
}

/** App options for the test (a clock, say), and `listen` to serve on a real port. */
export type TestServerOptions = Partial<AppOptions> & { readonly listen?: boolean };

export const TEST_BASE = 'http://unichart.test/fhir/R4';
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * A server for a practice of its own. With `listen`, it serves on a real loopback port (for
 * clients that make their own HTTP calls, such as a SMART app); else tests call it in-process.
 */
export async function startTestServer(db: Database, options: TestServerOptions = {}): Promise<TestServer> {
  const practice = await newPractice(db);
  const identity = await createIdentity(db);
  await identity.accounts.seedDefaultRoles(practice.id);
  const port = options.listen ? await freePort() : undefined;
  const baseUrl = port ? `http://127.0.0.1:${port}/fhir/R4` : TEST_BASE;
  const { listen: _listen, ...appOptions } = options;
  const app = await buildApp({ db, identity, baseUrl, ...appOptions });
  if (port) await app.listen({ port, host: '127.0.0.1' });
  else await app.ready();

  const signIn = async (email: string, password: string): Promise<string> => {
    const response = await app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
    if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
    return JSON.parse(response.body).access_token as string;
  };
  const fhirAs = (token: string): FhirCall => async (method, path, body, headers = {}) => {
    const response = await app.inject({
      method,
      url: `/fhir/R4/${path.replace(/^\//, '')}`,
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}`, ...headers },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = response.body;
    return { status: response.statusCode, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
  const createAccount = async (role: string, options: { fhirUser?: string; email?: string } = {}) => {
    const email = options.email ?? `${role}-${randomUUID().slice(0, 8)}@test.unichart`;
    const account = await identity.accounts.createAccount(practice.id, { email, displayName: role, roleCode: role, passwordHash: await testPasswordHash(), fhirUser: options.fhirUser });
    return { email, accountId: account.id };
  };

  const admin = await createAccount('administrator');
  const token = await signIn(admin.email, TEST_PASSWORD);
  return {
    app,
    practice,
    identity,
    baseUrl,
    token,
    request: (options) => app.inject(options),
    fhir: fhirAs(token),
    signIn,
    async signInAs(role, options) {
      const account = await createAccount(role, options);
      const roleToken = await signIn(account.email, TEST_PASSWORD);
      return { fhir: fhirAs(roleToken), token: roleToken, ...account };
    },
  };
}

let passwordHash: Promise<string> | undefined;
/** argon2id is deliberately slow; tests hash the shared test password once. */
function testPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return passwordHash;
}

export const SHARED_DATA = sharedDataDir() ?? '/nonexistent/shared/data/';

/**
 * The test file's database and a server for a practice of its own, opened before its tests
 * and closed after them. Read `.db` and `.server` inside tests (they are set by then).
 */
export function useTestServer(options: TestServerOptions = {}): { readonly db: Database; readonly server: TestServer } {
  const context = {} as { db: Database; server: TestServer };
  beforeAll(async () => {
    context.db = await openTestDatabase();
    context.server = await startTestServer(context.db, options);
  });
  afterAll(async () => {
    await context.server?.app.close();
    await context.db?.close();
  });
  return context;
}

/** A port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
