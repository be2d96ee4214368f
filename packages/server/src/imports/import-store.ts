import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { AuditAgent } from '../audit/audit-record.js';
import { enqueueJob } from '../jobs/job-queue.js';
import type { ImportProblem } from '../fhir/import/import-files.js';

export const IMPORT_JOB = 'data-import';

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';
export type ImportFileStatus = 'waiting' | 'running' | 'done' | 'failed';

export interface EntryCounts {
  readonly entriesTotal: number;
  readonly entriesDone: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
}

/** A problem as the screen shows it; the file is the row it belongs to. */
export type FileProblem = Omit<ImportProblem, 'file'>;

export interface ImportFileView extends EntryCounts {
  readonly name: string;
  readonly sizeBytes: number;
  readonly status: ImportFileStatus;
  readonly problemCount: number;
  /** Only when one import is asked for. */
  readonly problems?: readonly FileProblem[];
}

/** What GET /admin/imports/:id answers; the list leaves out the problems. */
export interface ImportView extends EntryCounts {
  readonly id: string;
  readonly status: ImportStatus;
  readonly startedBy: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly failure?: string;
  readonly files: readonly ImportFileView[];
}

export interface UploadedFile {
  readonly name: string;
  readonly content: string;
  readonly entriesTotal: number;
}

/** The uploader, kept so each write of the background import is audited as theirs. */
export interface ImportStarter {
  readonly agent: AuditAgent;
  readonly sourceAddress?: string;
}

export interface WaitingFile {
  readonly position: number;
  readonly name: string;
  readonly content: string;
  readonly entriesTotal: number;
}

const IMPORT_COLUMNS = 'id, status, started_by, failure, created_at, started_at, finished_at';
const FILE_COLUMNS = 'import_id, name, size_bytes, status, entries_total, entries_done, created, updated, failed, jsonb_array_length(problems) AS problem_count';

/** A file's stored problems stop here; its failed count still counts every entry. */
export const MAX_PROBLEMS_PER_FILE = 1000;

type ImportRow = {
  id: string;
  status: ImportStatus;
  started_by: string;
  failure: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
};

type FileRow = {
  import_id: string;
  name: string;
  size_bytes: number;
  status: ImportFileStatus;
  entries_total: number;
  entries_done: number;
  created: number;
  updated: number;
  failed: number;
  problem_count: number;
  problems?: unknown;
};

/** Imports and their files' progress (tables data_import and data_import_file). */
export class ImportStore {
  constructor(private readonly db: Database) {}

  /** Stores the upload and queues its job in one transaction: an import exists exactly when it will run. */
  async create(tenantId: string, starter: ImportStarter, files: readonly UploadedFile[]): Promise<string> {
    const id = randomUUID();
    await this.db.transaction(tenantId, async (tx) => {
      await tx.query(`INSERT INTO data_import (tenant_id, id, started_by, agent, source_address) VALUES ($1, $2, $3, $4, $5)`, [
        tenantId,
        id,
        starter.agent.name,
        JSON.stringify(starter.agent),
        starter.sourceAddress ?? null,
      ]);
      for (const [position, file] of files.entries()) {
        await tx.query(
          `INSERT INTO data_import_file (tenant_id, import_id, position, name, size_bytes, content, entries_total) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [tenantId, id, position, file.name, Buffer.byteLength(file.content), file.content, file.entriesTotal],
        );
      }
      await enqueueJob(tx, tenantId, { kind: IMPORT_JOB, dedupeKey: `${IMPORT_JOB}:${id}`, payload: { importId: id }, runAt: new Date() });
    });
    return id;
  }

  async list(tenantId: string, limit = 50): Promise<ImportView[]> {
    const imports = await this.db.query<ImportRow>(
      tenantId,
      `SELECT ${IMPORT_COLUMNS} FROM data_import WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [tenantId, limit],
    );
    if (imports.length === 0) return [];
    const files = await this.db.query<FileRow>(
      tenantId,
      `SELECT ${FILE_COLUMNS} FROM data_import_file WHERE tenant_id = $1 AND import_id = ANY($2::uuid[]) ORDER BY position`,
      [tenantId, imports.map((i) => i.id)],
    );
    return imports.map((row) => viewOf(row, files.filter((f) => f.import_id === row.id)));
  }

  async get(tenantId: string, id: string): Promise<ImportView | undefined> {
    const [row] = await this.db.query<ImportRow>(
      tenantId,
      `SELECT ${IMPORT_COLUMNS} FROM data_import WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    if (!row) return undefined;
    const files = await this.db.query<FileRow>(
      tenantId,
      `SELECT ${FILE_COLUMNS}, problems FROM data_import_file WHERE tenant_id = $1 AND import_id = $2 ORDER BY position`,
      [tenantId, id],
    );
    return viewOf(row, files);
  }

  /** Marks the import running; false when an earlier attempt already had (the server stopped during it). */
  async begin(tenantId: string, id: string): Promise<{ starter: ImportStarter; resumed: boolean } | undefined> {
    const [row] = await this.db.query<{ status: ImportStatus; agent: unknown; source_address: string | null }>(
      tenantId,
      `SELECT status, agent, source_address FROM data_import WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    if (!row || row.status === 'done' || row.status === 'failed') return undefined;
    await this.db.query(tenantId, `UPDATE data_import SET status = 'running', started_at = coalesce(started_at, now()) WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    const agent = (typeof row.agent === 'string' ? JSON.parse(row.agent) : row.agent) as AuditAgent;
    return { starter: { agent, sourceAddress: row.source_address ?? undefined }, resumed: row.status === 'running' };
  }

  async waitingFiles(tenantId: string, id: string): Promise<WaitingFile[]> {
    const rows = await this.db.query<{ position: number; name: string; content: string; entries_total: number }>(
      tenantId,
      `SELECT position, name, content, entries_total FROM data_import_file WHERE tenant_id = $1 AND import_id = $2 AND status = 'waiting' ORDER BY position`,
      [tenantId, id],
    );
    return rows.map((r) => ({ position: Number(r.position), name: r.name, content: r.content, entriesTotal: Number(r.entries_total) }));
  }

  /**
   * Files an earlier attempt was importing when the server stopped. Each Bundle was one
   * transaction and each NDJSON chunk too, so nothing is half-written, but whether the last
   * commit landed is unknown: the file is reported, not imported again.
   */
  async failInterrupted(tenantId: string, id: string): Promise<number> {
    const problem: FileProblem = {
      message:
        'The server stopped while this file was being imported. A Bundle is written whole or not at all, and NDJSON in chunks of 200 lines; check what arrived before importing the file again.',
    };
    const rows = await this.db.query(
      tenantId,
      `UPDATE data_import_file SET status = 'failed', content = NULL, problems = problems || $3::jsonb
       WHERE tenant_id = $1 AND import_id = $2 AND status = 'running' RETURNING 1`,
      [tenantId, id, JSON.stringify([problem])],
    );
    return rows.length;
  }

  /**
   * The import's job has failed its last attempt: every file not finished says why, its content
   * (patient data) is dropped, and the import shows as failed instead of running for ever.
   */
  async abandon(tenantId: string, id: string, reason: string): Promise<void> {
    const problem: FileProblem = { message: `The import could not go on: ${reason}` };
    await this.db.query(
      tenantId,
      `UPDATE data_import_file SET status = 'failed', content = NULL, problems = problems || $3::jsonb
       WHERE tenant_id = $1 AND import_id = $2 AND status IN ('waiting', 'running')`,
      [tenantId, id, JSON.stringify([problem])],
    );
    await this.finish(tenantId, id, `The import stopped after repeated failures: ${reason}`);
  }

  async startFile(tenantId: string, id: string, position: number): Promise<void> {
    await this.db.query(tenantId, `UPDATE data_import_file SET status = 'running' WHERE tenant_id = $1 AND import_id = $2 AND position = $3`, [tenantId, id, position]);
  }

  async saveProgress(tenantId: string, id: string, position: number, counts: Omit<EntryCounts, 'entriesTotal'>): Promise<void> {
    await this.db.query(
      tenantId,
      `UPDATE data_import_file SET entries_done = $4, created = $5, updated = $6, failed = $7 WHERE tenant_id = $1 AND import_id = $2 AND position = $3`,
      [tenantId, id, position, counts.entriesDone, counts.created, counts.updated, counts.failed],
    );
  }

  /** The file's last counts and problems; its content goes, the record now holds what was imported. */
  async finishFile(tenantId: string, id: string, position: number, counts: Omit<EntryCounts, 'entriesTotal'>, problems: readonly FileProblem[]): Promise<void> {
    await this.saveProgress(tenantId, id, position, counts);
    await this.db.query(
      tenantId,
      `UPDATE data_import_file SET status = $4, content = NULL, problems = $5 WHERE tenant_id = $1 AND import_id = $2 AND position = $3`,
      [tenantId, id, position, problems.length > 0 ? 'failed' : 'done', JSON.stringify(problems.slice(0, MAX_PROBLEMS_PER_FILE))],
    );
  }

  /** Done when every file was imported, failed with the reason when the import could not finish. */
  async finish(tenantId: string, id: string, failure?: string): Promise<void> {
    await this.db.query(
      tenantId,
      `UPDATE data_import SET status = $3, failure = $4, finished_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, failure ? 'failed' : 'done', failure ?? null],
    );
  }
}

function viewOf(row: ImportRow, files: readonly FileRow[]): ImportView {
  const fileViews = files.map(
    (f): ImportFileView => ({
      name: f.name,
      sizeBytes: Number(f.size_bytes),
      status: f.status,
      entriesTotal: Number(f.entries_total),
      entriesDone: Number(f.entries_done),
      created: Number(f.created),
      updated: Number(f.updated),
      failed: Number(f.failed),
      problemCount: Number(f.problem_count),
      problems: f.problems === undefined ? undefined : ((typeof f.problems === 'string' ? JSON.parse(f.problems) : f.problems) as FileProblem[]),
    }),
  );
  const sum = (key: keyof EntryCounts) => fileViews.reduce((n, f) => n + f[key], 0);
  return {
    id: row.id,
    status: row.status,
    startedBy: row.started_by,
    createdAt: isoOf(row.created_at)!,
    startedAt: isoOf(row.started_at),
    finishedAt: isoOf(row.finished_at),
    failure: row.failure ?? undefined,
    entriesTotal: sum('entriesTotal'),
    entriesDone: sum('entriesDone'),
    created: sum('created'),
    updated: sum('updated'),
    failed: sum('failed'),
    files: fileViews,
  };
}

function isoOf(value: Date | string | null): string | undefined {
  if (value === null) return undefined;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
