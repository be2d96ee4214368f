import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FhirError } from '@unichart/fhir';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { processBundle } from '../bundle-processor.js';
import type { FhirRepository } from '../repository.js';

export interface ImportProblem {
  readonly file: string;
  /** Line number (NDJSON) or entry index (Bundle), when the problem is in one part. */
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

const NDJSON_CHUNK = 200;

/**
 * Loads FHIR JSON files (Bundles or single resources) and NDJSON. Each Bundle is one
 * transaction, and each NDJSON chunk is one, so a bad file leaves nothing half-written and
 * stops nothing else.
 */
export async function importFiles(repo: FhirRepository, baseUrl: string, paths: readonly string[], onProgress?: (p: ImportProgress) => void): Promise<ImportReport> {
  const files = (await Promise.all(paths.map(listFiles))).flat();
  const report: ImportReport = { files: files.length, resources: 0, failedFiles: 0, problems: [] };
  for (const [i, file] of files.entries()) {
    const before = report.problems.length;
    try {
      report.resources += file.endsWith('.ndjson') ? await importNdjson(repo, baseUrl, file, report) : await importJson(repo, baseUrl, file);
    } catch (error) {
      report.problems.push({ file, message: describe(error) });
    }
    if (report.problems.length > before) report.failedFiles++;
    onProgress?.({ file, filesDone: i + 1, filesTotal: files.length, resources: report.resources });
  }
  return report;
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).sort();
  const nested = await Promise.all(names.filter((n) => !n.startsWith('.')).map((n) => listFiles(join(path, n))));
  return nested.flat().filter((f) => f.endsWith('.json') || f.endsWith('.ndjson'));
}

async function importJson(repo: FhirRepository, baseUrl: string, file: string): Promise<number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new FhirError(400, 'invalid', `Not valid JSON: ${(error as Error).message}`);
  }
  const bundle = asTransaction(parsed);
  const result = await processBundle(repo, baseUrl, bundle, 'return=minimal');
  return result.entry?.length ?? 0;
}

/** Any Bundle (or single resource) as a transaction: resources with ids keep them, others get new ones. */
export function asTransaction(parsed: unknown): Bundle {
  const resource = parsed as Resource;
  if (resource?.resourceType === 'Bundle' && (resource.type === 'transaction' || resource.type === 'batch')) return resource;
  const entries: BundleEntry[] =
    resource?.resourceType === 'Bundle' && resource.type !== 'document' && resource.type !== 'message'
      ? (resource.entry ?? []).filter((e) => e.resource).map((e) => toEntry(e.resource!, e.fullUrl))
      : [toEntry(resource)];
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

function toEntry(resource: Resource, fullUrl?: string): BundleEntry {
  if (!resource || typeof resource !== 'object') throw new FhirError(400, 'invalid', 'Not a FHIR resource');
  if (resource.id) return { fullUrl, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType } };
}

async function importNdjson(repo: FhirRepository, baseUrl: string, file: string, report: ImportReport): Promise<number> {
  let imported = 0;
  let chunk: { line: number; resource: Resource }[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const lines = chunk;
    chunk = [];
    try {
      const result = await processBundle(repo, baseUrl, { resourceType: 'Bundle', type: 'transaction', entry: lines.map((l) => toEntry(l.resource)) }, 'return=minimal');
      imported += result.entry?.length ?? 0;
    } catch (error) {
      report.problems.push({ file, at: `lines ${lines[0]!.line}-${lines[lines.length - 1]!.line}`, message: describe(error) });
    }
  };
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of reader) {
    lineNumber++;
    if (!line.trim()) continue;
    try {
      chunk.push({ line: lineNumber, resource: JSON.parse(line) as Resource });
    } catch (error) {
      report.problems.push({ file, at: `line ${lineNumber}`, message: `Not valid JSON: ${(error as Error).message}` });
      continue;
    }
    if (chunk.length >= NDJSON_CHUNK) await flush();
  }
  await flush();
  return imported;
}

function describe(error: unknown): string {
  if (error instanceof FhirError) return error.issues.map((i) => `${i.diagnostics ?? i.code}${i.expression ? ` at ${i.expression.join(', ')}` : ''}`).join('; ');
  return (error as Error).message;
}
