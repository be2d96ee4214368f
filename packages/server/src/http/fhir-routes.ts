import { FhirError, SearchParameterRegistry } from '@unichart/fhir';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { processBundle } from '../fhir/bundle-processor.js';
import { buildCapabilityStatement } from '../fhir/capability-statement.js';
import type { FhirRequest, FhirResponse } from '../fhir/fhir-request.js';
import { SYSTEM_ACCESS } from '../fhir/fhir-access.js';
import type { FhirRepository, RepositoryTransaction } from '../fhir/repository.js';
import { routeFhirRequest, type AuditedRead, type FhirOperations } from '../fhir/router.js';
import { withAuditContext, type AuditContext } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { AuditInput } from '../audit/audit-record.js';
import { auditAgentOf, type Actor } from '../identity/authenticator.js';
import { PolicyAccess } from '../identity/policy-access.js';
import { ScopedAccess } from '../identity/oauth/scoped-access.js';
import { isCareTeamRestricted, loadCareTeamReach, touchedUnderEmergency } from '../identity/care-team.js';
import { loadSharedReach } from '../identity/shared-access.js';
import type { EmergencyAccessStore } from '../identity/emergency-access.js';
import type { SensitiveIdentifiers } from '../security/sensitive-identifiers.js';
import type { CapabilityStatementRestSecurity } from '@medplum/fhirtypes';

export const FHIR_BASE = '/fhir/R4';
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface FhirRouteOptions {
  /** Who is calling; throws 401 when nobody (valid) is. */
  authenticate(request: FastifyRequest): Promise<Actor>;
  /** The repository of the caller's practice. */
  repositoryFor(actor: Actor): Promise<FhirRepository>;
  baseUrlFor(request: FastifyRequest): string;
  version: string;
  audit: AuditTrail;
  operations?: FhirOperations;
  /** CapabilityStatement.rest.security (SMART's OAuth endpoints). */
  security?: CapabilityStatementRestSecurity;
  /** Emergency access grants, for clinicians held to their care team. */
  emergencyAccess?: EmergencyAccessStore;
  /**
   * For `npm run bench` only (BENCH_SUITE=overhead): no access checks and no audit entries, to
   * measure what they cost. Authentication still runs (it names the practice).
   */
  measurementWithoutGuards?: boolean;
  /** Turns stored SSNs and licences back into numbers, or masks, by the caller's role. */
  sensitiveIdentifiers?: SensitiveIdentifiers;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

export function registerFhirRoutes(app: FastifyInstance, options: FhirRouteOptions): void {
  // One statement per registry: a practice's own search parameters appear once added.
  const capabilities = new WeakMap<SearchParameterRegistry, string>();

  // The CapabilityStatement is public; a signed-in caller also sees their practice's own parameters.
  app.get(`${FHIR_BASE}/metadata`, async (request, reply) => {
    const registry = request.headers.authorization
      ? (await options.repositoryFor(await options.authenticate(request))).registry
      : SearchParameterRegistry.spec();
    let capability = capabilities.get(registry);
    if (!capability) {
      capability = JSON.stringify(buildCapabilityStatement(registry, options.baseUrlFor(request), options.version, options.security));
      capabilities.set(registry, capability);
    }
    return reply.type(FHIR_JSON).send(capability);
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const actor = await options.authenticate(request);
    const context: AuditContext = { agent: auditAgentOf(actor.account, actor.app), sourceAddress: request.ip, ...(options.measurementWithoutGuards ? { unaudited: true } : {}) };
    try {
      return await withAuditContext(context, () => serve(request, reply, actor, context));
    } catch (error) {
      if (error instanceof FhirError && error.status === 403) {
        const description = error.issues[0]?.diagnostics;
        await options.audit.record(actor.tenantId, { kind: 'access-denied', agent: context.agent, outcome: 'denied', sourceAddress: context.sourceAddress, description, query: `${request.method} ${request.url}` });
      }
      throw error;
    }
  };

  const serve = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, context: AuditContext): Promise<FastifyReply> => {
    const repo = await options.repositoryFor(actor);
    const reach = options.emergencyAccess && isCareTeamRestricted(actor) ? await loadCareTeamReach(repo.reader(), options.emergencyAccess, actor) : undefined;
    // Outside providers reach only what was shared with them.
    const shared = actor.policy.sharedOnly ? await loadSharedReach(repo.reader(), actor) : undefined;
    const role = await PolicyAccess.forActor(actor, repo.reader(), reach ?? shared);
    // An app's token narrows what the person's role allows; it never widens it.
    const guarded = actor.app ? new ScopedAccess(role, actor.app) : role;
    const access = options.measurementWithoutGuards ? SYSTEM_ACCESS : guarded;
    const auditRead = async (tx: RepositoryTransaction, read: AuditedRead): Promise<void> => {
      if (options.measurementWithoutGuards) return;
      const input: AuditInput = { kind: read.kind, agent: context.agent, outcome: 'success', entity: read.entity, query: read.query, sourceAddress: context.sourceAddress };
      // Inside a transaction the entry is written by it (and on one connection, as PGlite must).
      const record = (entry: AuditInput, touched: AuditedRead['touched']) =>
        tx.inTransaction ? options.audit.recordIn(tx.sql, actor.tenantId, entry, touched) : options.audit.record(actor.tenantId, entry, touched);
      await record(input, read.touched);
      // Whatever was opened through the glass is flagged: a second entry naming the grant's reason.
      if (!reach?.emergency.length) return;
      for (const { grant, touched } of await touchedUnderEmergency(tx, reach, read.touched)) {
        const description = `${read.kind} under emergency access (until ${grant.expiresAt})`;
        await record({ ...input, kind: 'emergency-access', reason: grant.reason, description, patients: [grant.patientId] }, touched);
      }
    };
    const baseUrl = options.baseUrlFor(request);
    const { operations } = options;
    const url = new URL(request.url, 'http://localhost');
    const path = url.pathname.slice(FHIR_BASE.length).replace(/^\/+/, '');
    const method = request.method as FhirRequest['method'];
    const headers = request.headers;
    if (path === '' && method === 'POST') {
      const bundle = await processBundle(repo, baseUrl, request.body, header(headers.prefer), { access, auditRead, operations });
      const text = JSON.stringify(bundle);
      return reply.type(FHIR_JSON).send(options.sensitiveIdentifiers?.reveal(text, Boolean(actor.policy.sensitiveIdentifiers)) ?? text);
    }
    if (path === 'metadata') throw new FhirError(405, 'not-supported', `${method} is not allowed on /metadata`);
    const fhirRequest: FhirRequest = {
      method,
      path,
      query: url.searchParams,
      body: request.body,
      ifMatch: header(headers['if-match']),
      ifNoneExist: header(headers['if-none-exist']),
      ifNoneMatch: header(headers['if-none-match']),
      prefer: header(headers.prefer),
    };
    const selfUrl = `${baseUrl}/${path}${url.search}`;
    const response = READ_METHODS.has(method)
      ? await routeFhirRequest({ tx: repo.reader(), access, baseUrl, selfUrl, auditRead, operations }, fhirRequest)
      : isPlainCreate(fhirRequest)
        ? await routeFhirRequest({ tx: repo.singleStatement(), access, baseUrl, selfUrl, auditRead, operations }, fhirRequest)
        : await repo.transaction((tx) => routeFhirRequest({ tx, access, baseUrl, selfUrl, auditRead, operations }, fhirRequest));
    return send(reply, response, (body) => options.sensitiveIdentifiers?.reveal(body, Boolean(actor.policy.sensitiveIdentifiers)) ?? body);
  };

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: FHIR_BASE, handler });
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${FHIR_BASE}/*`, handler });
}

/** Every resource leaves through here: `reveal` gives sensitive identifiers back in full or masked. */
function send(reply: FastifyReply, response: FhirResponse, reveal: (body: string) => string): FastifyReply {
  reply.code(response.status);
  if (response.versionId) reply.header('ETag', `W/"${response.versionId}"`);
  if (response.lastModified) reply.header('Last-Modified', new Date(response.lastModified).toUTCString());
  if (response.location) reply.header('Location', response.location).header('Content-Location', response.location);
  if (response.body === undefined) return reply.send();
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  return reply.type(FHIR_JSON).send(reveal(body));
}

/** POST Type without If-None-Exist writes with exactly one statement. */
function isPlainCreate(request: FhirRequest): boolean {
  return request.method === 'POST' && !request.ifNoneExist && /^[A-Z][A-Za-z]+$/.test(request.path);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
