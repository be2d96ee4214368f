import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { badRequest, FhirError } from '@unichart/fhir';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { processBundle } from '../bundle-processor.js';
import type { FhirRepository } from '../repository.js';
import type { ValidationPool } from './validation-pool.js';

export interface ImportProblem {
  readonly file: string;
  /** Line number (NDJSON) or entry index (batch Bundle), when the problem is in one part. */
  readonly at?: string;
  readonly message: string;
}

export interface ImportReport {
  files: number;
  resources: number;
  failedFiles: number;
  problems: ImportProblem[];
}

export interface ImportProgress {
  readonly file: string;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly resources: number;
}

export interface ImportOptions {
  onProgress?(progress: ImportProgress): void;
  /** Each committed Bundle with its response (locations of what was written), e.g. to verify an import. */
  onCommitted?(file: string, request: Bundle, response: Bundle): void;
  /** Files imported at once; PostgreSQL gains from several (the embedded database has one connection). */
  concurrency?: number;
  /** Validates files in worker threads while others are written. */
  validationPool?: ValidationPool;
}

const NDJSON_CHUNK = 200;

/**
 * Loads FHIR JSON files (Bundles or single resources) and NDJSON. Each Bundle is one
 * transaction, and each NDJSON chunk is one, so a bad file leaves nothing half-written and
 * stops nothing else; a bad NDJSON line costs only that line.
 */
export async function importFiles(repo: FhirRepository, baseUrl: string, paths: readonly string[], options: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { files: 0, resources: 0, failedFiles: 0, problems: [] };
  const files: string[] = [];
  for (const path of paths) {
    try {
      files.push(...(await listFiles(path)));
    } catch (error) {
      report.files++;
      report.problems.push({ file: path, message: `Cannot read: ${(error as Error).message}` });
    }
  }
  report.files += files.length;
  const importer = new FileImporter(repo, baseUrl, report, options);
  const concurrency = Math.max(1, options.concurrency ?? (repo.db.kind === 'postgres' ? 4 : options.validationPool ? 2 : 1));
  let next = 0;
  let done = 0;
  // While one file's statement runs in the database, another file is validated and indexed here.
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      try {
        // Awaited before adding: `total += await x` would add to a total read before the wait.
        const imported = file.endsWith('.ndjson') ? await importer.ndjson(file) : await importer.json(file);
        report.resources += imported;
      } catch (error) {
        report.problems.push({ file, message: describe(error) });
      }
      options.onProgress?.({ file, filesDone: ++done, filesTotal: files.length, resources: report.resources });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length || 1) }, worker));
  // Files finish in any order when several import at once; report them in the order given.
  const position = new Map(files.map((file, i) => [file, i]));
  report.problems.sort((a, b) => (position.get(a.file) ?? -1) - (position.get(b.file) ?? -1));
  report.failedFiles = new Set(report.problems.map((p) => p.file)).size;
  return report;
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).sort();
  const nested = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => listFiles(join(path, n))));
  return nested.flat().filter((f) => f.endsWith('.json') || f.endsWith('.ndjson'));
}

/** Any Bundle (or single resource) as a transaction: resources with ids keep them, others get new ones. */
export function asTransaction(parsed: unknown): Bundle {
  const resource = asResource(parsed);
  if (resource.resourceType === 'Bundle' && (resource.type === 'transaction' || resource.type === 'batch')) return resource;
  const entries: BundleEntry[] =
    resource.resourceType === 'Bundle' && resource.type !== 'document' && resource.type !== 'message'
      ? (resource.entry ?? []).filter((e) => e.resource).map((e) => toEntry(asResource(e.resource), e.fullUrl))
      : [toEntry(resource)];
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

function asResource(parsed: unknown): Resource {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('Not a FHIR resource: expected a JSON object');
  if (typeof (parsed as { resourceType?: unknown }).resourceType !== 'string') throw badRequest('Not a FHIR resource: it has no resourceType', 'resourceType');
  return parsed as Resource;
}

function toEntry(resource: Resource, fullUrl?: string): BundleEntry {
  if (resource.id) return { fullUrl, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType } };
}

class FileImporter {
  constructor(
    private readonly repo: FhirRepository,
    private readonly baseUrl: string,
    private readonly report: ImportReport,
    private readonly options: ImportOptions,
  ) {}

  async json(file: string): Promise<number> {
    const text = await readFile(file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw badRequest(`Not valid JSON: ${(error as Error).message}`);
    }
    const bundle = asTransaction(parsed);
    // A file that already is the transaction goes to the worker as read, not serialised again.
    const workerText = bundle === parsed ? text : JSON.stringify(bundle);
    const valid = this.options.validationPool && bundle.type === 'transaction' ? await this.options.validationPool.validate(workerText) : [];
    const trustedEntries = new Set(valid.flatMap((ok, i) => (ok ? [i] : [])));
    const response = await this.commit(file, bundle, trustedEntries);
    if (bundle.type !== 'batch') return response.entry?.length ?? 0;
    // A batch commits entry by entry: report each refused entry, count the rest.
    let written = 0;
    (response.entry ?? []).forEach((entry, i) => {
      const status = Number.parseInt(entry.response?.status ?? '', 10);
      if (status >= 400) this.report.problems.push({ file, at: `entry ${i}`, message: describeOutcome(entry, status) });
      else written++;
    });
    return written;
  }

  async ndjson(file: string): Promise<number> {
    let imported = 0;
    let chunk: { line: number; resource: unknown }[] = [];
    const flush = async (): Promise<void> => {
      const lines = chunk;
      chunk = [];
      if (lines.length === 0) return;
      try {
        imported += await this.transaction(file, lines.map((l) => l.resource));
      } catch (error) {
        if (!(error instanceof FhirError)) throw error;
        // The chunk was rolled back as a whole; retry line by line so one bad line costs only itself.
        for (const { line, resource } of lines) {
          try {
            imported += await this.transaction(file, [resource]);
          } catch (lineError) {
            if (!(lineError instanceof FhirError)) throw lineError;
            this.report.problems.push({ file, at: `line ${line}`, message: describe(lineError) });
          }
        }
      }
    };
    const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const line of reader) {
      lineNumber++;
      if (!line.trim()) continue;
      try {
        chunk.push({ line: lineNumber, resource: JSON.parse(line) });
      } catch (error) {
        this.report.problems.push({ file, at: `line ${lineNumber}`, message: `Not valid JSON: ${(error as Error).message}` });
        continue;
      }
      if (chunk.length >= NDJSON_CHUNK) await flush();
    }
    await flush();
    return imported;
  }

  private async transaction(file: string, resources: unknown[]): Promise<number> {
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: resources.map((r) => toEntry(asResource(r))) };
    return (await this.commit(file, bundle)).entry?.length ?? 0;
  }

  private async commit(file: string, bundle: Bundle, trustedEntries?: ReadonlySet<number>): Promise<Bundle> {
    const response = await processBundle(this.repo, this.baseUrl, bundle, 'return=minimal', { trustedEntries });
    this.options.onCommitted?.(file, bundle, response);
    return response;
  }
}

function describe(error: unknown): string {
  if (error instanceof FhirError) return error.issues.map((i) => `${i.diagnostics ?? i.code}${i.expression ? ` at ${i.expression.join(', ')}` : ''}`).join('; ');
  return (error as Error).message;
}

function describeOutcome(entry: BundleEntry, status: number): string {
  const issues = entry.response?.outcome?.issue ?? [];
  if (issues.length === 0) return `Refused with status ${status}`;
  return issues.map((i) => `${i.diagnostics ?? i.code}${i.expression ? ` at ${i.expression.join(', ')}` : ''}`).join('; ');
}
