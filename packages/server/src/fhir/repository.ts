import { randomUUID } from 'node:crypto';
import {
  badRequest,
  conflict,
  extractIndexRows,
  gone,
  isResourceType,
  notFound,
  parseSearchRequest,
  preconditionFailed,
  validateResource,
  type IndexRows,
  type SearchParameterRegistry,
  type SearchRequest,
} from '@unichart/fhir';
import { currentAuditContext } from '../audit/audit-context.js';
import { buildAuditRecord, type AuditRecord } from '../audit/audit-record.js';
import type { Appointment, Patient, Resource } from '@medplum/fhirtypes';
import { lacksMedicalRecordNumber, nextMedicalRecordNumbers, withMedicalRecordNumber } from './medical-record-number.js';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { sqlState, SqlState, type Database, type SqlClient } from '../db/database.js';
import { executeSearch, type SearchResult } from './search/execute-search.js';
import type { CompartmentScope } from './search/search-sql.js';
import { buildCreateManyStatement, buildReindexStatement, buildWriteStatement, type ResourceVersion } from './write-statement.js';

export interface StoredVersion {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: number;
  readonly lastUpdated: string;
  readonly deleted: boolean;
  /** JSON text as stored; absent for a deletion. */
  readonly content?: string;
}

export interface WriteResult {
  readonly resource: Resource;
  readonly created: boolean;
  /** True when a conditional create found an existing match and wrote nothing. */
  readonly unchanged?: boolean;
}

export interface PreparedCreate {
  readonly stored: Resource;
  readonly resourceType: string;
  readonly id: string;
  readonly content: string;
  readonly rows: IndexRows;
  readonly lastUpdated: string;
}

export interface BookedTime {
  readonly actor: string;
  readonly appointmentId: string;
  readonly start: Date;
  readonly end: Date;
}

export interface HistoryQuery {
  readonly resourceType?: string;
  readonly id?: string;
  readonly since?: string;
  readonly count: number;
}

export interface WrittenResource {
  readonly resourceType: string;
  readonly id: string;
  /** Absent for a deletion. */
  readonly resource?: Resource;
}

export interface RepositoryHooks {
  /** Resources written by a transaction, called once it has committed. */
  afterCommit?(tenantId: string, written: readonly WrittenResource[]): void;
}

/**
 * Reads and writes of one practice's record inside one database transaction. Every write
 * validates, versions, keeps history and indexes in the same statement; every read of a
 * missing, deleted or foreign resource answers the same way.
 */
export class RepositoryTransaction {
  /** What this unit of work wrote, for the after-commit hooks. */
  readonly written: WrittenResource[] = [];

  constructor(
    readonly sql: SqlClient,
    readonly tenantId: string,
    readonly registry: SearchParameterRegistry,
    /** Set when each statement commits on its own (no surrounding transaction). */
    private readonly autocommitHooks?: RepositoryHooks,
  ) {}

  /** True inside a database transaction; false when each statement commits on its own. */
  get inTransaction(): boolean {
    return this.autocommitHooks === undefined;
  }

  private recordWritten(written: WrittenResource[]): void {
    if (this.autocommitHooks) this.autocommitHooks.afterCommit?.(this.tenantId, written);
    else this.written.push(...written);
  }

  async create(input: unknown, options: { ifNoneExist?: string; assignedId?: string } = {}): Promise<WriteResult> {
    validateResource(input);
    if (options.ifNoneExist) {
      const existing = await this.findConditional(input.resourceType, options.ifNoneExist);
      if (existing) return { resource: JSON.parse(existing.content) as Resource, created: false, unchanged: true };
    }
    const id = options.assignedId ?? randomUUID();
    const [resource] = await this.withMedicalRecordNumbers([{ ...input, id }]);
    return { resource: await this.write(resource!, 0, 'create'), created: true };
  }

  /** New Patients get the practice's medical record number; other resources pass unchanged. */
  private async withMedicalRecordNumbers(resources: Resource[]): Promise<Resource[]> {
    const lacking = resources.filter((r) => lacksMedicalRecordNumber(r, this.tenantId));
    if (lacking.length === 0) return resources;
    const numbers = await nextMedicalRecordNumbers(this.sql, lacking.length);
    const assigned = new Map(lacking.map((patient, i) => [patient, withMedicalRecordNumber(patient, this.tenantId, numbers[i]!)]));
    return resources.map((r) => assigned.get(r as Patient) ?? r);
  }

  /** Validates and indexes a new resource without writing it: one part of a bulk create. */
  prepareCreate(resource: unknown, id?: string, lastUpdated = new Date().toISOString(), alreadyValidated = false): PreparedCreate {
    if (!alreadyValidated) validateResource(resource);
    const input = resource as Resource;
    const stored = { ...input, id: id ?? randomUUID(), meta: { ...input.meta, versionId: '1', lastUpdated } } as Resource;
    const rows = extractIndexRows(stored as unknown as Record<string, unknown>, this.registry);
    return { stored, resourceType: stored.resourceType, id: stored.id!, content: JSON.stringify(stored), rows, lastUpdated };
  }

  /**
   * Writes prepared creates in one statement: the bulk path for imports and transaction
   * Bundles. Fails as a whole if any id already exists.
   */
  async createPrepared(toWrite: readonly PreparedCreate[]): Promise<Resource[]> {
    if (toWrite.length === 0) return [];
    const numbered = await this.withMedicalRecordNumbers(toWrite.map((p) => p.stored));
    const prepared = toWrite.map((p, i) => (numbered[i] === p.stored ? p : this.prepareCreate(numbered[i], p.id, p.lastUpdated, true)));
    const audit = prepared.map((v) => writeAudit('create', v.stored, v.rows));
    const statement = buildCreateManyStatement(this.tenantId, prepared[0]!.lastUpdated, prepared, audit);
    try {
      await this.sql.query(statement.sql, statement.params);
    } catch (error) {
      throw refusedWrite(error, 'One of the resources already exists');
    }
    this.recordWritten(prepared.map((v) => ({ resourceType: v.resourceType, id: v.id, resource: v.stored })));
    return prepared.map((v) => v.stored);
  }

  async createMany(inputs: readonly { resource: unknown; id?: string }[]): Promise<Resource[]> {
    const lastUpdated = new Date().toISOString();
    return this.createPrepared(inputs.map(({ resource, id }) => this.prepareCreate(resource, id, lastUpdated)));
  }

  async read(resourceType: string, id: string): Promise<StoredVersion> {
    assertType(resourceType);
    const rows = await this.sql.prepared<{ version_id: number; last_updated: Date | string; deleted: boolean; content: string | null }>(
      'unichart_read',
      'SELECT version_id, last_updated, deleted, content FROM resource WHERE tenant_id = $1 AND resource_type = $2 AND id = $3',
      [this.tenantId, resourceType, id],
    );
    const row = rows[0];
    if (!row) throw notFound(`${resourceType}/${id} not found`);
    if (row.deleted) throw gone(`${resourceType}/${id} was deleted`);
    return { resourceType, id, versionId: Number(row.version_id), lastUpdated: toIso(row.last_updated), deleted: false, content: row.content! };
  }

  async readResource<T extends Resource = Resource>(resourceType: string, id: string): Promise<T> {
    return JSON.parse((await this.read(resourceType, id)).content!) as T;
  }

  async vread(resourceType: string, id: string, versionId: string): Promise<StoredVersion> {
    assertType(resourceType);
    if (!/^\d{1,15}$/.test(versionId)) throw notFound(`${resourceType}/${id}/_history/${versionId} not found`);
    const rows = await this.sql.query<{ last_updated: Date | string; deleted: boolean; content: string | null }>(
      'SELECT last_updated, deleted, content FROM resource_history WHERE tenant_id = $1 AND resource_type = $2 AND id = $3 AND version_id = $4',
      [this.tenantId, resourceType, id, Number(versionId)],
    );
    const row = rows[0];
    if (!row) throw notFound(`${resourceType}/${id}/_history/${versionId} not found`);
    if (row.deleted) throw gone(`${resourceType}/${id} version ${versionId} is a deletion`);
    return { resourceType, id, versionId: Number(versionId), lastUpdated: toIso(row.last_updated), deleted: false, content: row.content! };
  }

  /** Update, or create with the client's id (update-as-create). `ifMatch` is a version id. */
  async update(input: unknown, options: { ifMatch?: number } = {}): Promise<WriteResult> {
    validateResource(input);
    if (!input.id) throw badRequest('An update needs the resource id in the body', `${input.resourceType}.id`);
    const current = await this.lockCurrent(input.resourceType, input.id);
    if (options.ifMatch !== undefined && current?.versionId !== options.ifMatch) {
      throw preconditionFailed(`${input.resourceType}/${input.id} is at version ${current?.versionId ?? 'none'}, not ${options.ifMatch}; reload and try again`);
    }
    const previous = current?.versionId ?? 0;
    const [toWrite] = previous === 0 ? await this.withMedicalRecordNumbers([input]) : [input];
    const resource = await this.write(toWrite!, previous, previous === 0 ? 'create' : 'update');
    return { resource, created: previous === 0 || Boolean(current?.deleted) };
  }

  /** PUT Type?criteria: update the one match, create when none, refuse when several. */
  async conditionalUpdate(resourceType: string, criteria: string, input: unknown): Promise<WriteResult> {
    validateResource(input);
    const matches = await this.searchConditional(resourceType, criteria);
    if (matches.length > 1) throw preconditionFailed(`${matches.length} ${resourceType} resources match ${criteria}; the update must match one`);
    const match = matches[0];
    if (!match) {
      if (input.id) return this.update(input);
      return this.create(input);
    }
    if (input.id && input.id !== match.id) throw badRequest(`The body's id ${input.id} is not the id of the match (${match.id})`, `${resourceType}.id`);
    return this.update({ ...input, id: match.id });
  }

  async patch(resourceType: string, id: string, operations: unknown, options: { ifMatch?: number } = {}): Promise<WriteResult> {
    if (!Array.isArray(operations)) throw badRequest('A JSON Patch body must be an array of operations');
    const current = await this.lockCurrent(resourceType, id);
    if (!current || current.deleted) throw current ? gone(`${resourceType}/${id} was deleted`) : notFound(`${resourceType}/${id} not found`);
    if (options.ifMatch !== undefined && current.versionId !== options.ifMatch) {
      throw preconditionFailed(`${resourceType}/${id} is at version ${current.versionId}, not ${options.ifMatch}`);
    }
    let patched: unknown;
    try {
      patched = jsonPatch.applyPatch(JSON.parse(current.content!), operations as Operation[], true, false).newDocument;
    } catch (error) {
      throw badRequest(`The patch cannot be applied: ${(error as Error).message.split('\n')[0]}`);
    }
    validateResource(patched);
    if (patched.resourceType !== resourceType || patched.id !== id) throw badRequest('A patch may not change resourceType or id');
    return { resource: await this.write(patched, current.versionId, 'patch'), created: false };
  }

  /** Soft delete: the resource leaves search and reads answer 410, its history stays. */
  async delete(resourceType: string, id: string): Promise<void> {
    const current = await this.lockCurrent(resourceType, id);
    if (!current || current.deleted) return;
    const version: ResourceVersion = { resourceType, id, versionId: current.versionId + 1, lastUpdated: new Date().toISOString(), content: undefined, method: 'delete' };
    const before = JSON.parse(current.content!) as Resource;
    await this.runWrite(version, current.versionId, undefined, writeAudit('delete', before, extractIndexRows(before as unknown as Record<string, unknown>, this.registry)));
    this.recordWritten([{ resourceType, id }]);
  }

  async conditionalDelete(resourceType: string, criteria: string): Promise<number> {
    const matches = await this.searchConditional(resourceType, criteria);
    if (matches.length > 1) throw preconditionFailed(`${matches.length} ${resourceType} resources match ${criteria}; a conditional delete must match one`);
    for (const match of matches) await this.delete(resourceType, match.id);
    return matches.length;
  }

  async search(request: SearchRequest, compartment?: CompartmentScope): Promise<SearchResult> {
    assertType(request.resourceType);
    return executeSearch(this.sql, this.tenantId, this.registry, request, compartment);
  }

  /**
   * The time already held by appointments of these actors (`Practitioner/1`, `Location/2`)
   * overlapping [from, to): read from the rows that enforce "no double booking", so an open
   * slot is computed from exactly what the database will refuse.
   */
  async bookedTimes(actors: readonly string[], from: Date, to: Date): Promise<BookedTime[]> {
    if (actors.length === 0) return [];
    // One JSON text instead of a row per booking: a busy month has thousands, and parsing rows dominates.
    const rows = await this.sql.prepared<{ booked: string }>(
      'unichart_booked_times',
      `SELECT coalesce(json_agg(json_build_array(actor, appointment_id, extract(epoch FROM lower(during)) * 1000, extract(epoch FROM upper(during)) * 1000)), '[]')::text AS booked
       FROM appointment_booking WHERE tenant_id = $1 AND actor = ANY($2::text[]) AND during && tstzrange($3::timestamptz, $4::timestamptz, '[)')`,
      [this.tenantId, actors, from.toISOString(), to.toISOString()],
    );
    const booked = JSON.parse(rows[0]?.booked ?? '[]') as [string, string, number, number][];
    return booked.map(([actor, appointmentId, start, end]) => ({ actor, appointmentId, start: new Date(start), end: new Date(end) }));
  }

  /** Every current resource that refers to this one through a search parameter (a patient's whole compartment, for one). */
  async referencing(targetType: string, targetId: string): Promise<{ resourceType: string; id: string }[]> {
    const rows = await this.sql.query<{ resource_type: string; id: string }>(
      `SELECT DISTINCT s.resource_type, s.id FROM sp_reference s
       JOIN resource r ON r.tenant_id = s.tenant_id AND r.resource_type = s.resource_type AND r.id = s.id AND NOT r.deleted
       WHERE s.tenant_id = $1 AND s.target_type = $2 AND s.target_id = $3 ORDER BY 1, 2`,
      [this.tenantId, targetType, targetId],
    );
    return rows.map((r) => ({ resourceType: r.resource_type, id: r.id }));
  }

  async history(query: HistoryQuery): Promise<StoredVersion[]> {
    if (query.resourceType) assertType(query.resourceType);
    const params: unknown[] = [this.tenantId];
    const conditions = ['tenant_id = $1'];
    if (query.resourceType) conditions.push(`resource_type = $${params.push(query.resourceType)}`);
    if (query.id) conditions.push(`id = $${params.push(query.id)}`);
    if (query.since) conditions.push(`last_updated >= $${params.push(query.since)}::timestamptz`);
    const rows = await this.sql.query<{ resource_type: string; id: string; version_id: number; last_updated: Date | string; deleted: boolean; content: string | null }>(
      `SELECT resource_type, id, version_id, last_updated, deleted, content FROM resource_history
       WHERE ${conditions.join(' AND ')} ORDER BY last_updated DESC, version_id DESC LIMIT $${params.push(query.count)}`,
      params,
    );
    if (query.id && rows.length === 0) throw notFound(`${query.resourceType}/${query.id} not found`);
    return rows.map((row) => ({
      resourceType: row.resource_type,
      id: row.id,
      versionId: Number(row.version_id),
      lastUpdated: toIso(row.last_updated),
      deleted: row.deleted,
      content: row.content ?? undefined,
    }));
  }

  /**
   * Re-extracts the given search parameters for the next `limit` resources of a type after
   * `afterId` (in id order). Returns the last id handled, or undefined when none were left.
   */
  async reindexBatch(resourceType: string, codes: readonly string[], afterId: string, limit: number): Promise<{ lastId?: string; count: number }> {
    const rows = await this.sql.query<{ id: string; content: string }>(
      'SELECT id, content FROM resource WHERE tenant_id = $1 AND resource_type = $2 AND NOT deleted AND id > $3 ORDER BY id LIMIT $4',
      [this.tenantId, resourceType, afterId, limit],
    );
    if (rows.length === 0) return { count: 0 };
    const only = new Set(codes);
    const entries = rows.map((row) => ({ id: row.id, rows: extractIndexRows(JSON.parse(row.content), this.registry, only) }));
    const statement = buildReindexStatement(this.tenantId, resourceType, codes, entries);
    await this.sql.query(statement.sql, statement.params);
    return { lastId: rows[rows.length - 1]!.id, count: rows.length };
  }

  async countResources(resourceTypes: readonly string[]): Promise<number> {
    const rows = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM resource WHERE tenant_id = $1 AND resource_type = ANY($2::text[]) AND NOT deleted', [this.tenantId, resourceTypes]);
    return Number(rows[0]?.n ?? 0);
  }

  private async lockCurrent(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    assertType(resourceType);
    const rows = await this.sql.query<{ version_id: number; last_updated: Date | string; deleted: boolean; content: string | null }>(
      'SELECT version_id, last_updated, deleted, content FROM resource WHERE tenant_id = $1 AND resource_type = $2 AND id = $3 FOR UPDATE',
      [this.tenantId, resourceType, id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { resourceType, id, versionId: Number(row.version_id), lastUpdated: toIso(row.last_updated), deleted: row.deleted, content: row.content ?? undefined };
  }

  /** Ids of the resources matching `Type?criteria` (at most `limit`), serialised with other conditional writes. */
  async matchConditional(resourceType: string, criteria: string, limit = 2): Promise<string[]> {
    return (await this.searchConditional(resourceType, criteria, limit)).map((m) => m.id);
  }

  private async searchConditional(resourceType: string, criteria: string, limit = 2): Promise<{ id: string; content: string }[]> {
    assertType(resourceType);
    const request = parseSearchRequest(resourceType, new URLSearchParams(criteria.replace(/^\?/, '')));
    if (request.filters.length === 0) throw badRequest(`Conditional criteria "${criteria}" has no search parameters`);
    // Two conditional writes with the same criteria must not both see "no match".
    await this.sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.tenantId}|${resourceType}?${criteria}`]);
    const result = await executeSearch(this.sql, this.tenantId, this.registry, { ...request, count: limit, include: [], revinclude: [], total: 'none' });
    return result.matches;
  }

  private async findConditional(resourceType: string, criteria: string): Promise<{ id: string; content: string } | undefined> {
    const matches = await this.searchConditional(resourceType, criteria);
    if (matches.length > 1) throw preconditionFailed(`${matches.length} ${resourceType} resources match ${criteria}; If-None-Exist must match at most one`);
    return matches[0];
  }

  private async write(resource: Resource, previousVersion: number, method: ResourceVersion['method']): Promise<Resource> {
    const versionId = previousVersion + 1;
    const lastUpdated = new Date().toISOString();
    const meta = { ...resource.meta, versionId: String(versionId), lastUpdated };
    const stored = { ...resource, meta } as Resource;
    const content = JSON.stringify(stored);
    const rows = extractIndexRows(stored as unknown as Record<string, unknown>, this.registry);
    await this.runWrite({ resourceType: stored.resourceType, id: stored.id!, versionId, lastUpdated, content, method }, previousVersion, rows, writeAudit(method, stored, rows));
    this.recordWritten([{ resourceType: stored.resourceType, id: stored.id!, resource: stored }]);
    return stored;
  }

  private async runWrite(version: ResourceVersion, expected: number, rows: IndexRows | undefined, audit: AuditRecord): Promise<void> {
    const statement = buildWriteStatement(this.tenantId, version, expected, rows, audit);
    let written: number;
    try {
      const result = await this.sql.prepared<{ written: number }>(statement.name, statement.sql, statement.params);
      written = Number(result[0]?.written ?? 0);
    } catch (error) {
      throw refusedWrite(error, `${version.resourceType}/${version.id} already exists`, version.content);
    }
    if (written !== 1) throw conflict(`${version.resourceType}/${version.id} was changed by someone else at the same moment; try again`);
  }
}

/** The repository of one practice: each call is its own transaction unless run inside `transaction`. */
export class FhirRepository {
  constructor(
    readonly db: Database,
    readonly tenantId: string,
    readonly registry: SearchParameterRegistry,
    private readonly hooks: RepositoryHooks = {},
  ) {}

  async transaction<T>(work: (tx: RepositoryTransaction) => Promise<T>): Promise<T> {
    let written: WrittenResource[] = [];
    const result = await this.db.transaction(this.tenantId, async (sql) => {
      const tx = new RepositoryTransaction(sql, this.tenantId, this.registry);
      const value = await work(tx);
      written = tx.written;
      return value;
    });
    if (written.length > 0) this.hooks.afterCommit?.(this.tenantId, written);
    return result;
  }

  /**
   * Work that issues exactly one statement (a plain create) needs no BEGIN/COMMIT: the
   * statement is atomic on its own, and two round trips fewer.
   */
  singleStatement(): RepositoryTransaction {
    const { db, tenantId } = this;
    const client: SqlClient = {
      query: (sql, params) => db.query(tenantId, sql, params),
      prepared: (name, sql, params) => db.prepared(tenantId, name, sql, params),
      exec: () => Promise.reject(new Error('single statement only')),
    };
    return new RepositoryTransaction(client, tenantId, this.registry, this.hooks);
  }

  /** Reads need no explicit transaction: each statement sees a consistent snapshot. */
  reader(): RepositoryTransaction {
    return this.singleStatement();
  }
}

/** The audit entry of a write, attributed to whoever the request context names. */
function writeAudit(kind: ResourceVersion['method'], resource: Resource, rows: IndexRows): AuditRecord {
  const { agent, sourceAddress } = currentAuditContext();
  return buildAuditRecord({ kind, agent, outcome: 'success', entity: `${resource.resourceType}/${resource.id}`, sourceAddress, patients: patientsOf(resource, rows) });
}

/** The patients a resource is about: itself, or any Patient it references. */
export function patientsOf(resource: Resource, rows: IndexRows): string[] {
  if (resource.resourceType === 'Patient') return resource.id ? [resource.id] : [];
  return [...new Set(rows.reference.filter((r) => r.targetType === 'Patient' && r.targetId).map((r) => r.targetId!))];
}

/** A write the database refused for a reason the client can act on becomes a 409; anything else stays as it was. */
function refusedWrite(error: unknown, duplicateMessage: string, content?: string): unknown {
  const state = sqlState(error);
  if (state === SqlState.uniqueViolation) return conflict(duplicateMessage);
  if (state === SqlState.exclusionViolation) return conflict(doubleBookingMessage(content));
  return error;
}

/**
 * With row-level security on, PostgreSQL does not say which key clashed; the appointment
 * being written says who and when.
 */
function doubleBookingMessage(content: string | undefined): string {
  const appointment = content ? (JSON.parse(content) as Appointment) : undefined;
  if (appointment?.resourceType !== 'Appointment') return 'One of the appointments overlaps time already booked for one of its participants; choose another time';
  const who = (appointment.participant ?? []).map((p) => p.actor?.reference).filter((r) => r && !r.startsWith('Patient/'));
  return `The time from ${appointment.start} to ${appointment.end} overlaps an appointment already booked for ${who.join(' or ')}; choose another time`;
}

function assertType(resourceType: string): void {
  if (!isResourceType(resourceType)) throw notFound(`Unknown resource type "${resourceType}"`);
}

function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

