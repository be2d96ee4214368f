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
  forbidden,
  localizeReferences,
  localizeSearchValue,
  shapeResource,
} from '@unichart/fhir';
import type { Resource } from '@medplum/fhirtypes';
import { readAuditEvent, searchAuditEvents } from '../audit/audit-search.js';
import { historyBundle, searchBundle } from './bundles.js';
import { parseETag, preferReturn, type FhirRequest, type FhirResponse } from './fhir-request.js';
import type { PreparedCreate, RepositoryTransaction, StoredVersion, WriteResult } from './repository.js';
import type { CompartmentScope } from './search/search-sql.js';
import { SYSTEM_ACCESS, type FhirAccess, type FhirInteraction } from './fhir-access.js';

export interface RouteContext {
  readonly tx: RepositoryTransaction;
  /** What the caller may do; system access when absent (CLI imports, jobs). */
  readonly access?: FhirAccess;
  readonly baseUrl: string;
  /** Full URL of the request as the client sent it (for `self` links). */
  readonly selfUrl: string;
  /**
   * Records a read on the audit trail; resolves once the entry is durable (inside a
   * transaction: written by it, so it commits with it). Writes audit themselves.
   */
  readonly auditRead?: (tx: RepositoryTransaction, read: AuditedRead) => Promise<void>;
  /** Named operations (`Appointment/$book`) the domain modules offer. */
  readonly operations?: FhirOperations;
}

/**
 * A FHIR operation: workflow code that reads and writes through the same transaction as the
 * interaction that invoked it, and checks the caller's access itself.
 */
export interface FhirOperation {
  readonly resourceType: string;
  /** Without the `$`. */
  readonly name: string;
  /** Invoked on the type (`Appointment/$book`) or on one resource (`Appointment/1/$cancel`). */
  readonly level: 'type' | 'instance';
  readonly methods: readonly ('GET' | 'POST')[];
  invoke(ctx: RouteContext & { readonly access: FhirAccess }, req: FhirRequest, id: string | undefined): Promise<FhirResponse>;
}

export class FhirOperations {
  private readonly byKey = new Map<string, FhirOperation>();

  constructor(operations: readonly FhirOperation[] = []) {
    for (const operation of operations) this.byKey.set(FhirOperations.key(operation.resourceType, operation.name, operation.level), operation);
  }

  find(resourceType: string, name: string, level: FhirOperation['level']): FhirOperation | undefined {
    return this.byKey.get(FhirOperations.key(resourceType, name, level));
  }

  list(): FhirOperation[] {
    return [...this.byKey.values()];
  }

  private static key(resourceType: string, name: string, level: string): string {
    return `${resourceType}/${level}/${name}`;
  }
}

export interface AuditedRead {
  readonly kind: 'read' | 'vread' | 'search' | 'history';
  readonly entity?: string;
  readonly query?: string;
  readonly touched: readonly { resourceType: string; id: string }[];
}

const HISTORY_PAGE = 100;
const MAX_HISTORY_PAGE = 1000;

/**
 * Every FHIR interaction below the base except Bundles: the REST routes and each Bundle
 * entry come through here, so they behave identically.
 */
export async function routeFhirRequest(ctx: RouteContext, req: FhirRequest): Promise<FhirResponse> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  const segments = req.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [type, id, third, fourth] = segments;
  if (!type) throw methodNotAllowed(`${req.method} is not allowed on the FHIR base; POST a batch or transaction Bundle`);
  if (type === '_history') {
    return only(req, ['GET'], () => {
      access.require('*', 'history');
      return history(ctx, req, {});
    });
  }
  if (!type.startsWith('$') && !isResourceType(type)) throw notFound(`Unknown resource type "${type}"`);
  const operationName = [type, id, third].find((segment) => segment?.startsWith('$'));
  if (operationName) return operation(ctx, req, segments, operationName);
  if (segments.length > 4) throw notFound(`Unknown path ${req.path}`);
  if (type === 'AuditEvent') return auditEvents(ctx, req, id, third);

  if (id === undefined) {
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return search(ctx, type, req.query);
      case 'POST': {
        const body = bodyOf(req, type, ctx.baseUrl);
        await requireCreatable(ctx, body);
        return created(ctx, req, await ctx.tx.create(body, { ifNoneExist: req.ifNoneExist, assignedId: req.assignedId }));
      }
      case 'PUT': {
        access.require(type, 'update');
        requireUnrestricted(access, type, 'update');
        const body = bodyOf(req, type, ctx.baseUrl);
        requireDirectWrite(access, body, 'update');
        return written(ctx, req, await ctx.tx.conditionalUpdate(type, criteriaOf(req), body));
      }
      case 'DELETE':
        access.require(type, 'delete');
        requireUnrestricted(access, type, 'delete');
        requireDirectWrite(access, { resourceType: type }, 'delete');
        await ctx.tx.conditionalDelete(type, criteriaOf(req));
        return { status: 204 };
      default:
        throw methodNotAllowed(`${req.method} is not allowed on /${type}`);
    }
  }
  if (id === '_search') return only(req, ['POST'], () => search(ctx, type, mergeQuery(req.query, req.body)));
  if (id === '_history') {
    return only(req, ['GET', 'HEAD'], () => {
      access.require(type, 'history');
      requireUnrestricted(access, type, 'history');
      return history(ctx, req, { resourceType: type });
    });
  }
  if (third === undefined) return instance(ctx, req, type, id);
  if (third === '_history') {
    return only(req, ['GET', 'HEAD'], async () => {
      await requireReach(ctx, type, id, fourth === undefined ? 'history' : 'read');
      if (fourth === undefined) return history(ctx, req, { resourceType: type, id });
      const version = await ctx.tx.vread(type, id, fourth);
      await ctx.auditRead?.(ctx.tx, { kind: 'vread', entity: `${type}/${id}/_history/${fourth}`, touched: [{ resourceType: type, id }] });
      return readResponse(req, version);
    });
  }
  if (fourth === undefined && type === 'Patient' && isResourceType(third)) {
    return only(req, ['GET', 'HEAD'], async () => {
      await requireReach(ctx, 'Patient', id, 'read');
      await ctx.tx.read('Patient', id);
      const compartment: CompartmentScope = { type: 'Patient', id, params: patientCompartmentParams(third) };
      return search(ctx, third, req.query, compartment);
    });
  }
  throw notFound(`Unknown path ${req.path}`);
}

async function operation(ctx: RouteContext, req: FhirRequest, segments: string[], name: string): Promise<FhirResponse> {
  const [type, id] = segments;
  const level = segments.length === 2 && id === name ? 'type' : segments.length === 3 && segments[2] === name ? 'instance' : undefined;
  const found = level && type ? ctx.operations?.find(type, name.slice(1), level) : undefined;
  if (!found) throw notSupported(`Operation ${segments.join('/')} is not supported`);
  if (!(found.methods as readonly string[]).includes(req.method)) throw methodNotAllowed(`${req.method} is not allowed on ${segments.join('/')}`);
  return found.invoke({ ...ctx, access: ctx.access ?? SYSTEM_ACCESS }, req, level === 'instance' ? id : undefined);
}

/** The audit trail: searchable and readable through FHIR, written only by the server itself. */
async function auditEvents(ctx: RouteContext, req: FhirRequest, id: string | undefined, rest: string | undefined): Promise<FhirResponse> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('The audit trail is append-only: AuditEvents are written by Unichart itself');
  if (rest !== undefined) throw notFound(`Unknown path ${req.path}`);
  const onlyPatient = access.searchScope('AuditEvent')?.id;
  if (id === undefined) {
    access.require('AuditEvent', 'search');
    const { matches, next } = await searchAuditEvents(ctx.tx.sql, ctx.tx.tenantId, req.query, onlyPatient);
    await ctx.auditRead?.(ctx.tx, { kind: 'search', query: `AuditEvent?${req.query.toString()}`, touched: [] });
    const request = parseSearchRequest('AuditEvent', new URLSearchParams());
    return { status: 200, body: searchBundle(ctx.baseUrl, ctx.selfUrl, request, { matches, included: [], next }) };
  }
  access.require('AuditEvent', 'read');
  const event = await readAuditEvent(ctx.tx.sql, ctx.tx.tenantId, id, onlyPatient);
  await ctx.auditRead?.(ctx.tx, { kind: 'read', entity: `AuditEvent/${id}`, touched: [] });
  return { status: 200, body: event.content };
}

/** Instance access: 403 alike for a resource out of reach and one that does not exist. */
async function requireReach(ctx: RouteContext, type: string, id: string, interaction: FhirInteraction): Promise<void> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  access.require(type, interaction);
  if (!(await access.canReach(ctx.tx, type, id, interaction))) throw forbidden(`You do not have access to ${type}/${id}`);
}

/** A plain create, alone or as one of a Bundle's entries. */
async function requireCreatable(ctx: RouteContext, body: Resource): Promise<void> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  access.require(body.resourceType, 'create');
  requireDirectWrite(access, body, 'create');
  await requireWritable(ctx, body, 'create');
}

async function requireWritable(ctx: RouteContext, resource: Resource, interaction: 'create' | 'update'): Promise<void> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  if (!access.canWrite(ctx.tx, resource, interaction)) throw forbidden(`You may not ${interaction} this ${resource.resourceType}: it is outside your own record`);
}

/** Type-wide history and conditional writes are not offered to compartment-restricted callers. */
function requireUnrestricted(access: FhirAccess, type: string, interaction: FhirInteraction): void {
  if (access.searchScope(type)) throw forbidden(`${interaction} across all ${type} resources is not available to your role`);
}

async function instance(ctx: RouteContext, req: FhirRequest, type: string, id: string): Promise<FhirResponse> {
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      await requireReach(ctx, type, id, 'read');
      const version = await ctx.tx.read(type, id);
      await ctx.auditRead?.(ctx.tx, { kind: 'read', entity: `${type}/${id}`, touched: [{ resourceType: type, id }] });
      return readResponse(req, version);
    }
    case 'PUT': {
      const body = bodyOf(req, type, ctx.baseUrl);
      if (body.id !== id) throw badRequest(`The body's id (${String(body.id)}) must match the URL's id (${id})`, `${type}.id`);
      await requireUpdateAccess(ctx, type, id, body);
      return written(ctx, req, await ctx.tx.update(body, { ifMatch: ifMatchOf(req) }));
    }
    case 'PATCH':
      await requireUpdateAccess(ctx, type, id);
      return written(ctx, req, await ctx.tx.patch(type, id, req.body, { ifMatch: ifMatchOf(req) }));
    case 'DELETE':
      await requireReach(ctx, type, id, 'delete');
      requireDirectWrite(ctx.access ?? SYSTEM_ACCESS, { resourceType: type }, 'delete');
      await ctx.tx.delete(type, id);
      return { status: 204 };
    default:
      throw methodNotAllowed(`${req.method} is not allowed on /${type}/${id}`);
  }
}

async function requireUpdateAccess(ctx: RouteContext, type: string, id: string, body?: Resource): Promise<void> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  access.require(type, 'update');
  if (access.searchScope(type)) {
    if (!(await access.canReach(ctx.tx, type, id, 'update'))) throw forbidden(`You do not have access to ${type}/${id}`);
    if (body) await requireWritable(ctx, body, 'update');
  }
  if (access.directWriteStatuses(type, 'update')) {
    // Neither the stored version nor what replaces it may be past what plain writes may touch.
    const current = JSON.parse((await ctx.tx.read(type, id)).content ?? '{}') as { status?: unknown };
    requireDirectWrite(access, { ...current, resourceType: type }, 'update');
    requireDirectWrite(access, body ?? { resourceType: type }, 'update');
  }
}

/**
 * Some roles write a type by plain REST only in certain statuses (a patient's appointment
 * request); the rest goes through the type's operations, which apply the practice's rules.
 * A patch, whose outcome is not known beforehand, counts as having no status.
 */
function requireDirectWrite(access: FhirAccess, resource: { resourceType: string; status?: unknown }, interaction: 'create' | 'update' | 'delete'): void {
  const allowed = access.directWriteStatuses(resource.resourceType, interaction);
  if (!allowed) return;
  if (interaction === 'delete' || typeof resource.status !== 'string' || !allowed.includes(resource.status)) {
    const type = resource.resourceType;
    throw forbidden(`You may ${interaction} a ${type} directly only while its status is ${allowed.join(' or ')}: book, move or cancel through ${type}/$book, $reschedule and $cancel`);
  }
}

async function search(ctx: RouteContext, type: string, query: URLSearchParams, compartment?: CompartmentScope): Promise<FhirResponse> {
  const access = ctx.access ?? SYSTEM_ACCESS;
  access.require(type, 'search');
  const localized = new URLSearchParams([...query].map(([key, value]): [string, string] => [key, localizeSearchValue(value, ctx.baseUrl)]));
  const request = parseSearchRequest(type, localized);
  const scope = access.searchScope(type);
  // An explicit compartment (Patient/x/Type) was already checked by requireReach.
  const result = await ctx.tx.search(request, compartment ?? scope);
  const visible = await access.visible(ctx.tx, result.included);
  await ctx.auditRead?.(ctx.tx, { kind: 'search', query: `${compartment ? `Patient/${compartment.id}/` : ''}${type}?${query.toString()}`, touched: [...result.matches, ...visible] });
  return { status: 200, body: searchBundle(ctx.baseUrl, ctx.selfUrl, request, { ...result, included: visible }) };
}

async function history(ctx: RouteContext, req: FhirRequest, scope: { resourceType?: string; id?: string }): Promise<FhirResponse> {
  const countText = req.query.get('_count');
  const count = countText === null ? HISTORY_PAGE : Number(countText);
  if (!Number.isInteger(count) || count < 0) throw badRequest('_count must be a whole number', '_count');
  const since = req.query.get('_since') ?? undefined;
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw badRequest('_since must be an instant', '_since');
  const versions = await ctx.tx.history({ ...scope, since, count: Math.min(count, MAX_HISTORY_PAGE) });
  const entity = scope.id ? `${scope.resourceType}/${scope.id}` : scope.resourceType;
  await ctx.auditRead?.(ctx.tx, { kind: 'history', entity, query: entity ? undefined : '_history', touched: versions.filter((v) => !v.deleted) });
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

/**
 * A plain create from a transaction Bundle, checked exactly as a POST would be and prepared,
 * so that many can be written in one statement by writeCreates.
 */
export async function prepareCreate(ctx: RouteContext, req: FhirRequest, alreadyValidated = false): Promise<PreparedCreate> {
  const type = req.path.split('/')[0] ?? '';
  if (!isResourceType(type)) throw notFound(`Unknown resource type "${type}"`);
  const body = bodyOf(req, type, ctx.baseUrl);
  await requireCreatable(ctx, body);
  return ctx.tx.prepareCreate(body, req.assignedId, undefined, alreadyValidated);
}

export async function writeCreates(ctx: RouteContext, requests: readonly FhirRequest[], prepared: readonly PreparedCreate[]): Promise<FhirResponse[]> {
  const resources = await ctx.tx.createPrepared(prepared);
  return resources.map((resource, i) => created(ctx, requests[i]!, { resource, created: true }));
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

function bodyOf(req: FhirRequest, type: string, baseUrl?: string): Resource {
  const body = baseUrl && req.body && typeof req.body === 'object' ? localizeReferences(req.body, baseUrl) : req.body;
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
