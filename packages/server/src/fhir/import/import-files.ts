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
  /** Where in the resource (a FHIRPath), when the problem names one. */
  readonly path?: string;
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
  /** The finished file's problems. */
  readonly problems: readonly ImportProblem[];
}

/** What one commit or one refusal did to a file's entries; added up, they reach the file's entry count. */
export interface EntryTally {
  readonly done: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
}

/** A file to import, read from disk (CLI) or held in memory (an upload). */
export interface ImportSource {
  readonly name: string;
  text(): Promise<string>;
  lines(): AsyncIterable<string>;
}

export interface ImportOptions {
  onProgress?(progress: ImportProgress): void | Promise<void>;
  /** After each commit or refusal, for progress by entry. */
  onEntries?(file: string, tally: EntryTally): void | Promise<void>;
  /** Checked between files: a stopping process starts no new file. */
  stopping?(): boolean;
  /** Each committed Bundle with its response (locations of what was written), e.g. to verify an import. */
  onCommitted?(file: string, request: Bundle, response: Bundle): void;
  /** Files imported at once; PostgreSQL gains from several (the embedded database has one connection). */
  concurrency?: number;
  /** Validates files in worker threads while others are written. */
  validationPool?: ValidationPool;
  /**
   * Bundle entries may only create or replace (POST, PUT): an upload through the browser loads
   * data, it does not read, patch or delete records with the import's unchecked access.
   */
  writesOnly?: boolean;
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
  const sources = files.map((file): ImportSource => ({
    name: file,
    text: () => readFile(file, 'utf8'),
    lines: () => createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity }),
  }));
  const imported = await importSources(repo, baseUrl, sources, options);
  report.files += imported.files;
  report.resources = imported.resources;
  report.problems.push(...imported.problems);
  report.failedFiles = new Set(report.problems.map((p) => p.file)).size;
  return report;
}

/** The same import over files already read (an upload): `.ndjson` by name, anything else as JSON. */
export async function importSources(repo: FhirRepository, baseUrl: string, sources: readonly ImportSource[], options: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { files: sources.length, resources: 0, failedFiles: 0, problems: [] };
  const importer = new FileImporter(repo, baseUrl, report, options);
  const concurrency = Math.max(1, options.concurrency ?? (repo.db.kind === 'postgres' ? 4 : options.validationPool ? 2 : 1));
  let next = 0;
  let done = 0;
  // While one file's statement runs in the database, another file is validated and indexed here.
  const worker = async (): Promise<void> => {
    while (next < sources.length && !options.stopping?.()) {
      const source = sources[next++]!;
      const file = source.name;
      try {
        // Awaited before adding: `total += await x` would add to a total read before the wait.
        const imported = file.endsWith('.ndjson') ? await importer.ndjson(source) : await importer.json(source);
        report.resources += imported;
      } catch (error) {
        report.problems.push(...problemsOf(file, undefined, error));
      }
      await options.onProgress?.({ file, filesDone: ++done, filesTotal: sources.length, resources: report.resources, problems: report.problems.filter((p) => p.file === file) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sources.length || 1) }, worker));
  // Files finish in any order when several import at once; report them in the order given.
  const position = new Map(sources.map((source, i) => [source.name, i]));
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

  async json(source: ImportSource): Promise<number> {
    const file = source.name;
    const text = await source.text();
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
      if (status >= 400) this.report.problems.push(...problemsOfOutcome(file, `entry ${i}`, entry, status));
      else written++;
    });
    return written;
  }

  async ndjson(source: ImportSource): Promise<number> {
    const file = source.name;
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
            this.report.problems.push(...problemsOf(file, `line ${line}`, lineError));
            await this.options.onEntries?.(file, { done: 1, created: 0, updated: 0, failed: 1 });
          }
        }
      }
    };
    let lineNumber = 0;
    for await (const line of source.lines()) {
      lineNumber++;
      if (!line.trim()) continue;
      try {
        chunk.push({ line: lineNumber, resource: JSON.parse(line) });
      } catch (error) {
        this.report.problems.push({ file, at: `line ${lineNumber}`, message: `Not valid JSON: ${(error as Error).message}` });
        await this.options.onEntries?.(file, { done: 1, created: 0, updated: 0, failed: 1 });
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
    if (this.options.writesOnly) {
      const other = (bundle.entry ?? []).findIndex((entry) => entry.request?.method !== 'POST' && entry.request?.method !== 'PUT');
      if (other >= 0) throw badRequest(`Bundle entry ${other + 1}: an import only creates (POST) or replaces (PUT) resources, not ${bundle.entry![other]!.request?.method ?? 'no method'}`, `Bundle.entry[${other}].request.method`);
    }
    const response = await processBundle(this.repo, this.baseUrl, bundle, 'return=minimal', { trustedEntries });
    this.options.onCommitted?.(file, bundle, response);
    await this.options.onEntries?.(file, tallyOf(response));
    return response;
  }
}

/** Created (201) and updated (200) entries of a committed Bundle; a batch's refused entries count as failed. */
function tallyOf(response: Bundle): EntryTally {
  const statuses = (response.entry ?? []).map((e) => Number.parseInt(e.response?.status ?? '', 10));
  const created = statuses.filter((s) => s === 201).length;
  const failed = statuses.filter((s) => s >= 400).length;
  return { done: statuses.length, created, updated: statuses.length - created - failed, failed };
}

/** One problem per issue: what went wrong, and where in the resource when the issue says. */
function problemsOf(file: string, at: string | undefined, error: unknown): ImportProblem[] {
  if (!(error instanceof FhirError)) return [{ file, at, message: (error as Error).message }];
  return error.issues.map((issue) => ({ file, at: at ?? entryNamedIn(issue.diagnostics), path: issue.expression?.join(', '), message: issue.diagnostics ?? issue.code }));
}

function problemsOfOutcome(file: string, at: string, entry: BundleEntry, status: number): ImportProblem[] {
  const issues = entry.response?.outcome?.issue ?? [];
  if (issues.length === 0) return [{ file, at, message: `Refused with status ${status}` }];
  return issues.map((issue) => ({ file, at, path: issue.expression?.join(', '), message: issue.diagnostics ?? issue.code }));
}

/** A refused transaction names its entry in the message (see inEntry in bundle-processor.ts). */
function entryNamedIn(diagnostics: string | undefined): string | undefined {
  const index = /^Bundle entry (\d+) /.exec(diagnostics ?? '')?.[1];
  return index === undefined ? undefined : `entry ${index}`;
}
