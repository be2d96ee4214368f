import {
  badRequest,
  informationOutcome,
  isResourceType,
  methodNotAllowed,
  notFound,
  notSupported,
  parseSearchRequest,
  patientCompartmentParams,
  preconditionFailed,
  shapeResource,
} from '@unichart/fhir';
import type { Resource } from '@medplum/fhirtypes';
import { historyBundle, searchBundle } from './bundles.js';
import { parseETag, preferReturn, type FhirRequest, type FhirResponse } from './fhir-request.js';
import type { RepositoryTransaction, StoredVersion, WriteResult } from './repository.js';
import type { CompartmentScope } from './search/search-sql.js';

export interface RouteContext {
  readonly tx: RepositoryTransaction;
  readonly baseUrl: string;
  /** Full URL of the request as the client sent it (for `self` links). */
  readonly selfUrl: string;
}

const HISTORY_PAGE = 100;
const MAX_HISTORY_PAGE = 1000;

/**
 * Every FHIR interaction below the base except Bundles: the REST routes and each Bundle
 * entry come through here, so they behave identically.
 */
export async function routeFhirRequest(ctx: RouteContext, req: FhirRequest): Promise<FhirResponse> {
  const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [type, id, third, fourth] = segments;
  if (!type) throw methodNotAllowed(`${req.method} is not allowed on the FHIR base; POST a batch or transaction Bundle`);
  if (type === '_history') return only(req, ['GET'], () => history(ctx, req, {}));
  if (type.startsWith('$') || id?.startsWith('$') || third?.startsWith('$')) throw notSupported(`Operation ${segments.join('/')} is not supported`);
  if (!isResourceType(type)) throw notFound(`Unknown resource type "${type}"`);
  if (segments.length > 4) throw notFound(`Unknown path ${req.path}`);

  if (id === undefined) {
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return search(ctx, type, req.query);
      case 'POST':
        return created(ctx, req, await ctx.tx.create(bodyOf(req, type), { ifNoneExist: req.ifNoneExist, assignedId: req.assignedId }));
      case 'PUT':
        return written(ctx, req, await ctx.tx.conditionalUpdate(type, criteriaOf(req), req.body));
      case 'DELETE':
        await ctx.tx.conditionalDelete(type, criteriaOf(req));
        return { status: 204 };
      default:
        throw methodNotAllowed(`${req.method} is not allowed on /${type}`);
    }
  }
  if (id === '_search') return only(req, ['POST'], () => search(ctx, type, mergeQuery(req.query, req.body)));
  if (id === '_history') return only(req, ['GET', 'HEAD'], () => history(ctx, req, { resourceType: type }));
  if (third === undefined) return instance(ctx, req, type, id);
  if (third === '_history') {
    if (fourth === undefined) return only(req, ['GET', 'HEAD'], () => history(ctx, req, { resourceType: type, id }));
    return only(req, ['GET', 'HEAD'], async () => readResponse(req, await ctx.tx.vread(type, id, fourth)));
  }
  if (fourth === undefined && type === 'Patient' && isResourceType(third)) {
    return only(req, ['GET', 'HEAD'], async () => {
      await ctx.tx.read('Patient', id);
      const compartment: CompartmentScope = { type: 'Patient', id, params: patientCompartmentParams(third) };
      return search(ctx, third, req.query, compartment);
    });
  }
  throw notFound(`Unknown path ${req.path}`);
}

async function instance(ctx: RouteContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return readResponse(req, await ctx.tx.read(type, id));
    case 'PUT': {
      const body = bodyOf(req, type);
      if (body.id !== id) throw badRequest(`The body's id (${String(body.id)}) must match the URL's id (${id})`, `${type}.id`);
      return written(ctx, req, await ctx.tx.update(body, { ifMatch: ifMatchOf(req) }));
    }
    case 'PATCH':
      return written(ctx, req, await ctx.tx.patch(type, id, req.body, { ifMatch: ifMatchOf(req) }));
    case 'DELETE':
      await ctx.tx.delete(type, id);
      return { status: 204 };
    default:
      throw methodNotAllowed(`${req.method} is not allowed on /${type}/${id}`);
  }
}

async function search(ctx: RouteContext, type: string, query: URLSearchParams, compartment?: CompartmentScope): Promise<FhirResponse> {
  const request = parseSearchRequest(type, query);
  const result = await ctx.tx.search(request, compartment);
  return { status: 200, body: searchBundle(ctx.baseUrl, ctx.selfUrl, request, result) };
}

async function history(ctx: RouteContext, req: FhirRequest, scope: { resourceType?: string; id?: string }): Promise<FhirResponse> {
  const countText = req.query.get('_count');
  const count = countText === null ? HISTORY_PAGE : Number(countText);
  if (!Number.isInteger(count) || count < 0) throw badRequest('_count must be a whole number', '_count');
  const since = req.query.get('_since') ?? undefined;
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw badRequest('_since must be an instant', '_since');
  const versions = await ctx.tx.history({ ...scope, since, count: Math.min(count, MAX_HISTORY_PAGE) });
  return { status: 200, body: historyBundle(ctx.baseUrl, ctx.selfUrl, versions) };
}

function readResponse(req: FhirRequest, version: StoredVersion): FhirResponse {
  const etag = `W/"${version.versionId}"`;
  if (req.ifNoneMatch && req.ifNoneMatch === etag) return { status: 304, versionId: String(version.versionId) };
  const summary = req.query.get('_summary') ?? undefined;
  const elements = req.query.get('_elements')?.split(',').filter(Boolean);
  const body = summary || elements ? shapeResource(JSON.parse(version.content!), summary, elements) : version.content;
  return { status: 200, body, versionId: String(version.versionId), lastModified: version.lastUpdated };
}

function created(ctx: RouteContext, req: FhirRequest, result: WriteResult): FhirResponse {
  if (result.unchanged) return respondWith(ctx, req, result, 200, 'An existing resource matched If-None-Exist; nothing was created');
  return respondWith(ctx, req, result, 201, 'Created');
}

function written(ctx: RouteContext, req: FhirRequest, result: WriteResult): FhirResponse {
  return respondWith(ctx, req, result, result.created ? 201 : 200, result.created ? 'Created' : 'Updated');
}

function respondWith(ctx: RouteContext, req: FhirRequest, result: WriteResult, status: number, message: string): FhirResponse {
  const resource = result.resource;
  const versionId = resource.meta?.versionId;
  const location = `${ctx.baseUrl}/${resource.resourceType}/${resource.id}/_history/${versionId}`;
  const base = { status, location, versionId, lastModified: resource.meta?.lastUpdated };
  switch (preferReturn(req.prefer)) {
    case 'minimal':
      return base;
    case 'OperationOutcome':
      return { ...base, body: informationOutcome(`${message}: ${resource.resourceType}/${resource.id}`) };
    default:
      return { ...base, body: resource };
  }
}

function only(req: FhirRequest, methods: FhirRequest['method'][], handler: () => Promise<FhirResponse>): Promise<FhirResponse> {
  if (!methods.includes(req.method)) throw methodNotAllowed(`${req.method} is not allowed on /${req.path}`);
  return handler();
}

function bodyOf(req: FhirRequest, type: string): Resource {
  const body = req.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request needs a FHIR resource as its JSON body');
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (resourceType !== type) throw badRequest(`The body is a ${String(resourceType)}, but the URL is for ${type}`, 'resourceType');
  return body as Resource;
}

function ifMatchOf(req: FhirRequest): number | undefined {
  const version = parseETag(req.ifMatch);
  if (Number.isNaN(version)) throw preconditionFailed(`If-Match must be a version ETag such as W/"3", got ${req.ifMatch}`);
  return version;
}

function criteriaOf(req: FhirRequest): string {
  const criteria = req.query.toString();
  if (!criteria) throw badRequest(`${req.method} on a resource type needs search criteria (conditional ${req.method === 'PUT' ? 'update' : 'delete'})`);
  return criteria;
}

function mergeQuery(query: URLSearchParams, body: unknown): URLSearchParams {
  const merged = new URLSearchParams(query);
  if (typeof body === 'string') new URLSearchParams(body).forEach((v, k) => merged.append(k, v));
  else if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) for (const value of Array.isArray(v) ? v : [v]) merged.append(k, String(value));
  }
  return merged;
}
