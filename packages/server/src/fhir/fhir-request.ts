/** A FHIR interaction independent of the HTTP framework: Fastify routes and Bundle entries both become one. */
export interface FhirRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the FHIR base, without leading slash or query, e.g. `Patient/123/_history`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body?: unknown;
  readonly ifMatch?: string;
  readonly ifNoneExist?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly prefer?: string;
  /** Inside a transaction Bundle: the id already promised to other entries for this create. */
  readonly assignedId?: string;
}

export interface FhirResponse {
  readonly status: number;
  /** A resource, or JSON text already serialised (stored resources pass through untouched). */
  readonly body?: unknown;
  readonly location?: string;
  readonly versionId?: string;
  readonly lastModified?: string;
}

/** Weak ETag as FHIR writes it: W/"3". Accepts the bare number too. */
export function parseETag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  return match ? Number(match[1]) : Number.NaN;
}

export type PreferReturn = 'minimal' | 'representation' | 'OperationOutcome';

export function preferReturn(prefer: string | undefined): PreferReturn {
  const match = /return=(minimal|representation|OperationOutcome)/i.exec(prefer ?? '');
  if (!match) return 'representation';
  const value = match[1]!.toLowerCase();
  return value === 'minimal' ? 'minimal' : value === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}
