import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SearchParameterRegistry } from '@unichart/fhir';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.js';
import type { Database } from '../db/database.js';
import { PgliteDatabase } from '../db/pglite-database.js';
import { PostgresDatabase } from '../db/postgres-database.js';
import { FhirRepository } from '../fhir/repository.js';
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

export interface TestServer {
  readonly app: FastifyInstance;
  readonly practice: Practice;
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** JSON body helper for FHIR calls below /fhir/R4. */
  fhir(method: InjectOptions['method'], path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export const TEST_BASE = 'http://unichart.test/fhir/R4';

export async function startTestServer(db: Database): Promise<TestServer> {
  const practice = await newPractice(db);
  const app = await buildApp({ db, practiceId: practice.id, baseUrl: TEST_BASE });
  await app.ready();
  return {
    app,
    practice,
    request: (options) => app.inject(options),
    async fhir(method, path, body, headers = {}) {
      const response = await app.inject({
        method,
        url: `/fhir/R4/${path.replace(/^\//, '')}`,
        headers: { 'content-type': 'application/fhir+json', ...headers },
        payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = response.body;
      return { status: response.statusCode, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
  };
}

export const SHARED_DATA = new URL('../../../../../shared/data/', import.meta.url).pathname;
