import { badRequest, FhirError, notFound } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.js';
import type { FhirRepository } from '../fhir/repository.js';
import { auditAgentOf, type Actor, type Authenticator } from '../identity/authenticator.js';
import { JobRunner, MAX_ATTEMPTS, type ClaimedJob } from '../jobs/job-queue.js';
import { countEntries } from './count-entries.js';
import { IMPORT_JOB, ImportStore, type UploadedFile } from './import-store.js';
import { runImport } from './run-import.js';
import { isUuid } from '../db/uuid.js';

export interface DataImportOptions {
  /** The largest upload (the JSON body with every file's text) one import takes. */
  readonly uploadLimitBytes?: number;
  /**
   * How often to look for imports another process left behind; without it, only at start
   * (after a restart) and when an import is uploaded here.
   */
  readonly pollMs?: number;
  readonly leaseMs?: number;
}

export const DEFAULT_UPLOAD_LIMIT = 32 * 1024 * 1024;
const MAX_FILES = 200;
const FILE_NAME = /^[^/\\]{1,200}\.(json|ndjson)$/;

/**
 * Data import from the administrator's screen: POST /admin/imports takes
 * `{"files": [{"name", "content"}]}` and answers 202 with the queued import, which a job
 * runner imports in the background; GET /admin/imports and /admin/imports/:id show progress.
 * The runner is on wherever the API is: an import the API accepts must not wait for a setting.
 */
export function registerImportRoutes(
  app: FastifyInstance,
  deps: {
    db: Database;
    authenticator: Authenticator;
    repositoryFor: (tenantId: string) => Promise<FhirRepository>;
    fhirBaseUrl: string;
    options?: DataImportOptions;
  },
): void {
  const store = new ImportStore(deps.db);
  const limit = deps.options?.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT;
  const leaseMs = deps.options?.leaseMs ?? 60_000;
  let stopping = false;
  const handler = async (job: ClaimedJob) => {
    try {
      return await runImport(job, { db: deps.db, store, repositoryFor: deps.repositoryFor, fhirBaseUrl: deps.fhirBaseUrl, leaseMs, stopping: () => stopping });
    } catch (error) {
      if (job.attempts >= MAX_ATTEMPTS) await store.abandon(job.tenantId, (job.payload as { importId: string }).importId, (error as Error).message);
      throw error;
    }
  };
  const runner = new JobRunner(deps.db, new Map([[IMPORT_JOB, handler]]), {
    leaseMs,
    // One import at a time per claim: each can be long, and the lease is renewed as it goes.
    batch: 1,
    onError: (message, error) => app.log.error({ err: error }, message),
  });
  app.addHook('onReady', async () => {
    // An import a stopped process left behind is taken up again once its lease has run out.
    // Without polling (tests), only uploads start the runner.
    if (!deps.options?.pollMs) return;
    runner.start(deps.options.pollMs);
    runner.nudge();
  });
  app.addHook('preClose', async () => {
    stopping = true;
    await runner.stop();
  });

  const administrator = (request: FastifyRequest): Promise<Actor> => deps.authenticator.administrator(request.headers.authorization, 'import data');

  app.post(
    '/admin/imports',
    {
      bodyLimit: limit,
      // Refused before the body is read, with the limit in words; the body limit stays as the backstop.
      onRequest: async (request) => {
        const length = Number(request.headers['content-length'] ?? 0);
        if (length > limit) throw tooLarge(length, limit);
      },
      errorHandler: (error) => {
        if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw tooLarge(undefined, limit);
        throw error;
      },
    },
    async (request, reply) => {
      const actor = await administrator(request);
      const files = uploadedFiles(request.body);
      const id = await store.create(actor.tenantId, { agent: auditAgentOf(actor.account), sourceAddress: request.ip }, files);
      runner.nudge(actor.tenantId);
      return reply.code(202).header('location', `/admin/imports/${id}`).send(await store.get(actor.tenantId, id));
    },
  );

  app.get('/admin/imports', async (request) => {
    const actor = await administrator(request);
    return store.list(actor.tenantId);
  });

  app.get('/admin/imports/:id', async (request) => {
    const actor = await administrator(request);
    const { id } = request.params as { id: string };
    const found = isUuid(id) ? await store.get(actor.tenantId, id) : undefined;
    if (!found) throw notFound(`No import ${id}`);
    return found;
  });
}

function tooLarge(length: number | undefined, limit: number): FhirError {
  const size = length === undefined ? 'The upload is' : `The upload is ${megabytes(length)} and`;
  return new FhirError(413, 'too-costly', `${size} larger than the ${megabytes(limit)} one import takes; split the files across several imports`);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;
}

/** The upload's files, or a 400 that says what is wrong with it; nothing is stored until all are right. */
function uploadedFiles(body: unknown): UploadedFile[] {
  const files = (body as { files?: unknown } | undefined)?.files;
  if (!Array.isArray(files) || files.length === 0) throw badRequest('Send {"files": [{"name": "patients.ndjson", "content": "..."}]} with at least one file', 'files');
  if (files.length > MAX_FILES) throw badRequest(`One import takes at most ${MAX_FILES} files; this one has ${files.length}`, 'files');
  const seen = new Set<string>();
  return files.map((file: unknown, i): UploadedFile => {
    const { name, content } = (file ?? {}) as { name?: unknown; content?: unknown };
    if (typeof name !== 'string' || !FILE_NAME.test(name)) {
      throw badRequest(`File ${i + 1} must have a name ending in .json (a FHIR resource or Bundle) or .ndjson (one resource a line)`, `files[${i}].name`);
    }
    if (typeof content !== 'string') throw badRequest(`File ${i + 1} (${name}) must have its text as content`, `files[${i}].content`);
    if (seen.has(name)) throw badRequest(`Two files are named ${name}; rename one, so the report can tell them apart`, `files[${i}].name`);
    seen.add(name);
    return { name, content, entriesTotal: countEntries(name, content) };
  });
}
