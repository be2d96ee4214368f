import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { badRequest, FhirError, isResourceType, preconditionFailed } from '@unichart/fhir';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FhirRequest, FhirResponse } from './fhir-request.js';
import type { FhirRepository, RepositoryTransaction } from './repository.js';
import { prepareCreate, routeFhirRequest, writeCreates, type RouteContext } from './router.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** The spec's processing order for a transaction (R4 http.html#trules): deletes, creates, updates, then reads. */
const TRANSACTION_ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/** Who is calling: access is asked about every entry exactly as for a REST call (system access when absent), and reads are audited. */
export type BundleCaller = Pick<RouteContext, 'access' | 'auditRead' | 'operations'> & {
  /** Entries already validated (by the import's worker threads); never set for API calls. */
  readonly trustedEntries?: ReadonlySet<number>;
};

export async function processBundle(repo: FhirRepository, baseUrl: string, input: unknown, prefer: string | undefined, caller: BundleCaller = {}): Promise<Bundle> {
  const bundle = checkBundle(input);
  if (bundle.type === 'transaction') return processTransaction(repo, baseUrl, bundle, prefer, caller);
  return processBatch(repo, baseUrl, bundle, prefer, caller);
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

/**
 * A transaction may name each resource once (R4 http.html#trules: overlapping identities
 * SHALL fail the transaction); otherwise which write wins, and what a fullUrl points at,
 * would depend on processing order.
 */
function checkIdentities(entries: BundleEntry[]): void {
  const fullUrls = new Map<string, number>();
  const written = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (entry.fullUrl) {
      const first = fullUrls.get(entry.fullUrl);
      if (first !== undefined) throw badRequest(`Entries ${first} and ${i} both have fullUrl ${entry.fullUrl}`, `Bundle.entry[${i}].fullUrl`);
      fullUrls.set(entry.fullUrl, i);
    }
    const { method, url } = entry.request!;
    if (method === 'GET' || method === 'HEAD' || method === 'POST' || url.includes('?')) return;
    const identity = url.replace(/^\/+/, '');
    const first = written.get(identity);
    if (first !== undefined) throw badRequest(`Entries ${first} and ${i} both write ${identity}; a transaction may change a resource once`, `Bundle.entry[${i}].request.url`);
    written.set(identity, i);
  });
}

/** All or nothing: any failing entry rolls back every entry. */
async function processTransaction(repo: FhirRepository, baseUrl: string, bundle: Bundle, prefer: string | undefined, caller: BundleCaller): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  checkIdentities(entries);
  return repo.transaction(async (tx) => {
    const assigned: (string | undefined)[] = [];
    const byCondition = new Map<string, string>();
    for (const [i, entry] of entries.entries()) assigned.push(await inEntry(i, entry, () => assignId(tx, entry, byCondition)));
    const ids = new Map<string, string>();
    entries.forEach((entry, i) => entry.fullUrl && assigned[i] && ids.set(entry.fullUrl, assigned[i]));
    // A deep copy with references rewritten: the caller's Bundle is never changed.
    const requests = entries.map((entry) => rewriteReferences(entry, ids));
    for (const [i, request] of requests.entries()) {
      if (request.resource) await inEntry(i, entries[i]!, () => resolveConditionalReferences(tx, request.resource));
    }
    const order = entries.map((_, i) => i).sort((a, b) => TRANSACTION_ORDER[entries[a]!.request!.method]! - TRANSACTION_ORDER[entries[b]!.request!.method]! || a - b);
    const responses: BundleEntry[] = new Array(entries.length);
    const { trustedEntries, ...callerContext } = caller;
    const context = { tx, ...callerContext, baseUrl };
    for (let k = 0; k < order.length; ) {
      // Consecutive plain creates (most of an import) are written together in one statement.
      const creates: number[] = [];
      while (k < order.length && creates.length < CREATE_BATCH && isPlainCreate(entries[order[k]!]!)) creates.push(order[k++]!);
      if (creates.length > 0) {
        const fhirRequests = creates.map((i) => toFhirRequest(baseUrl, requests[i]!, prefer, assigned[i])[0]);
        const prepared = [];
        for (const [n, i] of creates.entries()) prepared.push(await inEntry(i, entries[i]!, () => prepareCreate({ ...context, selfUrl: baseUrl }, fhirRequests[n]!, trustedEntries?.has(i))));
        const written = await writeCreates({ ...context, selfUrl: baseUrl }, fhirRequests, prepared);
        creates.forEach((i, n) => (responses[i] = toResponseEntry(baseUrl, written[n]!)));
        continue;
      }
      const i = order[k++]!;
      responses[i] = await inEntry(i, entries[i]!, async () => {
        const [request, selfUrl] = toFhirRequest(baseUrl, requests[i]!, prefer, assigned[i]);
        return toResponseEntry(baseUrl, await routeFhirRequest({ ...context, selfUrl }, request));
      });
    }
    return { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
  });
}

const CREATE_BATCH = 500;

/** A POST of a resource without If-None-Exist: nothing to look up first, so it can be batched. */
function isPlainCreate(entry: BundleEntry): boolean {
  const request = entry.request!;
  return request.method === 'POST' && !request.ifNoneExist && !request.url.includes('/') && !request.url.includes('?') && entry.resource?.resourceType === request.url;
}

/** Each entry on its own; a failure becomes that entry's outcome. */
async function processBatch(repo: FhirRepository, baseUrl: string, bundle: Bundle, prefer: string | undefined, caller: BundleCaller): Promise<Bundle> {
  const responses: BundleEntry[] = [];
  for (const entry of bundle.entry ?? []) {
    try {
      const response = await repo.transaction(async (tx) => {
        const copy = rewriteReferences(entry, new Map());
        if (copy.resource) await resolveConditionalReferences(tx, copy.resource);
        const [request, selfUrl] = toFhirRequest(baseUrl, copy, prefer);
        return routeFhirRequest({ tx, access: caller.access, auditRead: caller.auditRead, operations: caller.operations, baseUrl, selfUrl }, request);
      });
      responses.push(toResponseEntry(baseUrl, response));
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      // The bare code, as clients of this server already read it; the outcome carries the detail.
      responses.push({ response: { status: String(error.status), outcome: error.toOutcome() } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: responses };
}

/** Runs one entry's step, naming the entry in any error so the client can find it. */
async function inEntry<T>(i: number, entry: BundleEntry, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FhirError) {
      error.issues.forEach((issue) => {
        issue.diagnostics = `Bundle entry ${i} (${entry.request!.method} ${entry.request!.url}): ${issue.diagnostics ?? ''}`;
      });
    }
    throw error;
  }
}

/**
 * Creates get their ids before anything is written so entries can point at each other by
 * `urn:uuid:` fullUrl; conditional creates and updates are looked up first and take the
 * matching resource's id. Answers `Type/id`, or undefined when the entry writes nothing new.
 */
async function assignId(tx: RepositoryTransaction, entry: BundleEntry, byCondition: Map<string, string>): Promise<string | undefined> {
  const { method, url, ifNoneExist } = entry.request!;
  const type = entry.resource?.resourceType;
  if (!type || (method !== 'POST' && method !== 'PUT')) return undefined;
  const [path, criteria] = [url.split('?')[0]!.replace(/^\/+/, ''), url.includes('?') ? url.slice(url.indexOf('?') + 1) : undefined];
  if (method === 'POST') {
    // Anything else (an operation, a type mismatch) is refused by the router with its own message.
    if (path !== type || !isResourceType(type)) return undefined;
    if (!ifNoneExist) return `${type}/${randomUUID()}`;
    // Two entries with the same condition are one resource: the first creates it, the second finds it.
    const condition = `${type}?${ifNoneExist}`;
    const earlier = byCondition.get(condition);
    if (earlier) return earlier;
    const existing = await tx.matchConditional(type, ifNoneExist);
    if (existing.length > 1) throw preconditionFailed(`${existing.length} ${type} resources match If-None-Exist ${ifNoneExist}; it must match at most one`);
    const id = `${type}/${existing[0] ?? randomUUID()}`;
    byCondition.set(condition, id);
    return id;
  }
  if (criteria !== undefined) {
    if (path !== type || !isResourceType(type)) return undefined;
    const existing = await tx.matchConditional(type, criteria);
    if (existing.length > 1) return undefined; // the update itself refuses this with 412
    return `${type}/${existing[0] ?? entry.resource!.id ?? randomUUID()}`;
  }
  return path;
}

/** A deep copy of the entry with every string naming another entry's fullUrl replaced by `Type/id`. */
function rewriteReferences(entry: BundleEntry, ids: Map<string, string>): BundleEntry {
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

function toFhirRequest(baseUrl: string, entry: BundleEntry, prefer: string | undefined, assigned?: string): [FhirRequest, string] {
  const request = entry.request!;
  const [path, query] = splitUrl(baseUrl, request.url);
  const method = request.method as FhirRequest['method'];
  let body: unknown = entry.resource;
  if (method === 'PATCH' && entry.resource?.resourceType === 'Binary') body = decodePatch(entry.resource as { data?: string });
  const assignedId = assigned?.split('/')[1];
  // A conditional update that creates must take the id its fullUrl was already mapped to.
  if (method === 'PUT' && query && assignedId && body && typeof body === 'object' && !(body as Resource).id) body = { ...body, id: assignedId };
  const fhirRequest: FhirRequest = {
    method,
    path,
    query: new URLSearchParams(query),
    body,
    ifMatch: request.ifMatch,
    ifNoneExist: request.ifNoneExist,
    ifNoneMatch: request.ifNoneMatch,
    prefer,
    assignedId: method === 'POST' ? assignedId : undefined,
  };
  return [fhirRequest, `${baseUrl}/${path}${query ? `?${query}` : ''}`];
}

/** A FHIR PATCH entry carries its JSON Patch as a Binary (R4 http.html#patch). */
function decodePatch(binary: { data?: string }): unknown {
  if (!binary.data) throw badRequest('The PATCH entry has a Binary without data; it must hold a base64 JSON Patch', 'Binary.data');
  try {
    return JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
  } catch {
    throw badRequest('The PATCH entry\'s Binary.data is not a base64-encoded JSON Patch', 'Binary.data');
  }
}

/** Entry URLs are relative to the base; an absolute URL must point at this server's FHIR base. */
function splitUrl(baseUrl: string, url: string): [string, string] {
  let relative = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length + 1) : url.replace(/^https?:\/\/[^/]+\/(?:.*?\/)?fhir\/R4\//, '');
  if (/^[a-z][a-z0-9+.-]*:/i.test(relative)) throw badRequest(`${url} is not a URL on this server; entry URLs are relative to ${baseUrl}`, 'Bundle.entry.request.url');
  relative = relative.replace(/^\/+/, '');
  const q = relative.indexOf('?');
  return q < 0 ? [relative, ''] : [relative.slice(0, q), relative.slice(q + 1)];
}

function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

function toResponseEntry(baseUrl: string, response: FhirResponse): BundleEntry {
  const body = typeof response.body === 'string' ? (JSON.parse(response.body) as Resource) : (response.body as Resource | undefined);
  const isOutcome = body?.resourceType === 'OperationOutcome';
  const entry: BundleEntry = {
    response: {
      status: statusLine(response.status),
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
