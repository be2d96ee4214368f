import { randomUUID } from 'node:crypto';
import { badRequest, FhirError, isResourceType, preconditionFailed } from '@unichart/fhir';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FhirRequest, FhirResponse } from './fhir-request.js';
import type { FhirRepository, RepositoryTransaction } from './repository.js';
import { routeFhirRequest } from './router.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** The spec's processing order for a transaction: deletes, creates, updates, then reads. */
const TRANSACTION_ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified' };

export async function processBundle(repo: FhirRepository, baseUrl: string, input: unknown, prefer: string | undefined): Promise<Bundle> {
  const bundle = checkBundle(input);
  if (bundle.type === 'transaction') return processTransaction(repo, baseUrl, bundle, prefer);
  return processBatch(repo, baseUrl, bundle, prefer);
}

function checkBundle(input: unknown): Bundle {
  const bundle = input as Bundle;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') throw badRequest('POST to the FHIR base takes a Bundle', 'resourceType');
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') throw badRequest(`Bundle.type must be transaction or batch, not ${String(bundle.type)}`, 'Bundle.type');
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  (bundle.entry ?? []).forEach((entry, i) => {
    const method = entry?.request?.method;
    if (!method || !METHODS.has(method)) throw badRequest(`Entry ${i} needs request.method (GET, POST, PUT, PATCH or DELETE)`, `Bundle.entry[${i}].request.method`);
    if (typeof entry.request?.url !== 'string' || !entry.request.url) throw badRequest(`Entry ${i} needs request.url`, `Bundle.entry[${i}].request.url`);
  });
  return bundle;
}

/** All or nothing: any failing entry rolls back every entry. */
async function processTransaction(repo: FhirRepository, baseUrl: string, bundle: Bundle, prefer: string | undefined): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  return repo.transaction(async (tx) => {
    const ids = await assignIds(tx, entries);
    const requests = entries.map((entry) => rewriteReferences(entry, ids));
    for (const request of requests) if (request.resource) await resolveConditionalReferences(tx, request.resource);
    const order = entries.map((_, i) => i).sort((a, b) => TRANSACTION_ORDER[entries[a]!.request!.method]! - TRANSACTION_ORDER[entries[b]!.request!.method]! || a - b);
    const responses: BundleEntry[] = new Array(entries.length);
    for (const i of order) {
      const entry = requests[i]!;
      try {
        const response = await routeFhirRequest({ tx, baseUrl, selfUrl: `${baseUrl}/${entry.request!.url}` }, toFhirRequest(entry, prefer, ids.get(entries[i]!.fullUrl ?? '')));
        responses[i] = toResponseEntry(baseUrl, response);
      } catch (error) {
        if (error instanceof FhirError) {
          error.issues.forEach((issue) => {
            issue.diagnostics = `Bundle entry ${i} (${entry.request!.method} ${entry.request!.url}): ${issue.diagnostics ?? ''}`;
          });
        }
        throw error;
      }
    }
    return { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
  });
}

/** Each entry on its own; a failure becomes that entry's outcome. */
async function processBatch(repo: FhirRepository, baseUrl: string, bundle: Bundle, prefer: string | undefined): Promise<Bundle> {
  const responses: BundleEntry[] = [];
  for (const entry of bundle.entry ?? []) {
    try {
      const response = await repo.transaction((tx) => routeFhirRequest({ tx, baseUrl, selfUrl: `${baseUrl}/${entry.request!.url}` }, toFhirRequest(entry, prefer)));
      responses.push(toResponseEntry(baseUrl, response));
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      responses.push({ response: { status: String(error.status), outcome: error.toOutcome() } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: responses };
}

/**
 * Creates get their ids before anything is written so entries can point at each other by
 * `urn:uuid:` fullUrl; conditional creates and updates are looked up first and take the
 * matching resource's id.
 */
async function assignIds(tx: RepositoryTransaction, entries: BundleEntry[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [i, entry] of entries.entries()) {
    const { method, url, ifNoneExist } = entry.request!;
    const type = entry.resource?.resourceType;
    if (!entry.fullUrl || !type || (method !== 'POST' && method !== 'PUT')) continue;
    let id: string | undefined;
    if (method === 'POST') {
      if (url.split('?')[0] !== type) throw badRequest(`Entry ${i}: a POST to ${url} must carry a ${url.split('?')[0]}`, `Bundle.entry[${i}].request.url`);
      const existing = ifNoneExist ? await tx.matchConditional(type, ifNoneExist) : [];
      if (existing.length > 1) throw preconditionFailed(`Entry ${i}: ${existing.length} ${type} resources match ${ifNoneExist}`);
      id = existing[0] ?? randomUUID();
    } else if (url.includes('?')) {
      const existing = await tx.matchConditional(type, url.slice(url.indexOf('?') + 1));
      id = existing.length === 1 ? existing[0] : existing.length === 0 ? entry.resource!.id ?? randomUUID() : undefined;
    } else {
      id = url.split('/')[1];
    }
    if (id) ids.set(entry.fullUrl, `${type}/${id}`);
  }
  return ids;
}

function rewriteReferences(entry: BundleEntry, ids: Map<string, string>): BundleEntry {
  if (ids.size === 0) return entry;
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return ids.get(value) ?? value;
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)]));
    return value;
  };
  const request = entry.request!;
  const url = ids.get(request.url) ?? request.url;
  return { ...entry, resource: entry.resource && (replace(entry.resource) as Resource), request: { ...request, url } };
}

/** `{"reference": "Patient?identifier=x|1"}` becomes the one Patient that matches, or the transaction fails. */
async function resolveConditionalReferences(tx: RepositoryTransaction, node: unknown): Promise<void> {
  if (Array.isArray(node)) {
    for (const item of node) await resolveConditionalReferences(tx, item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'reference' && typeof value === 'string' && /^[A-Z][A-Za-z]+\?/.test(value)) {
      const [type, criteria] = [value.slice(0, value.indexOf('?')), value.slice(value.indexOf('?') + 1)];
      if (!isResourceType(type)) throw badRequest(`Conditional reference ${value} names an unknown type`);
      const matches = await tx.matchConditional(type, criteria);
      if (matches.length !== 1) throw preconditionFailed(`Conditional reference ${value} matches ${matches.length} resources; it must match exactly one`);
      record[key] = `${type}/${matches[0]}`;
    } else if (typeof value === 'object') await resolveConditionalReferences(tx, value);
  }
}

function toFhirRequest(entry: BundleEntry, prefer: string | undefined, assigned?: string): FhirRequest {
  const request = entry.request!;
  const [path, query] = splitUrl(request.url);
  const method = request.method as FhirRequest['method'];
  let body: unknown = entry.resource;
  if (method === 'PATCH' && entry.resource?.resourceType === 'Binary') {
    const data = (entry.resource as { data?: string }).data;
    body = data ? JSON.parse(Buffer.from(data, 'base64').toString()) : undefined;
  }
  return {
    method,
    path,
    query: new URLSearchParams(query),
    body,
    ifMatch: request.ifMatch,
    ifNoneExist: request.ifNoneExist,
    ifNoneMatch: request.ifNoneMatch,
    prefer,
    assignedId: method === 'POST' ? assigned?.split('/')[1] : undefined,
  };
}

function splitUrl(url: string): [string, string] {
  const relative = url.replace(/^https?:\/\/[^/]+\/(?:.*?\/)?fhir\/R4\//, '');
  const q = relative.indexOf('?');
  return q < 0 ? [relative, ''] : [relative.slice(0, q), relative.slice(q + 1)];
}

function toResponseEntry(baseUrl: string, response: FhirResponse): BundleEntry {
  const body = typeof response.body === 'string' ? (JSON.parse(response.body) as Resource) : (response.body as Resource | undefined);
  const isOutcome = body?.resourceType === 'OperationOutcome';
  const entry: BundleEntry = {
    response: {
      status: `${response.status} ${STATUS_TEXT[response.status] ?? ''}`.trim(),
      location: response.location,
      etag: response.versionId ? `W/"${response.versionId}"` : undefined,
      lastModified: response.lastModified,
      outcome: isOutcome ? (body as never) : undefined,
    },
  };
  if (body && !isOutcome) {
    entry.resource = body;
    if (body.id) entry.fullUrl = `${baseUrl}/${body.resourceType}/${body.id}`;
  }
  return entry;
}
