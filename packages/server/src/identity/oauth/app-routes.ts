import { badRequest, notFound } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { auditAgentOf, type Actor, type Authenticator } from '../authenticator.js';
import { type AppKind, type AppRegistry, type NewApp } from './app-registry.js';
import type { OAuthArtifacts } from './oauth-artifacts.js';
import { parseScopes } from './smart-scopes.js';
import { isUuid } from '../../db/uuid.js';

const KINDS: readonly AppKind[] = ['public', 'confidential', 'backend'];

/** App (OAuth client) registration, for administrators of the practice. */
export function registerAppRoutes(app: FastifyInstance, deps: { authenticator: Authenticator; apps: AppRegistry; artifacts: OAuthArtifacts; audit: AuditTrail }): void {
  const administrator = (request: FastifyRequest): Promise<Actor> => deps.authenticator.administrator(request.headers.authorization, 'manage apps');
  // Which apps could reach the record, and since when: an auditor's question like any change of access.
  const audited = (request: FastifyRequest, actor: Actor, kind: 'app-register' | 'app-disable', description: string) =>
    deps.audit.record(actor.tenantId, { kind, agent: auditAgentOf(actor.account), outcome: 'success', sourceAddress: request.ip, description });

  app.get('/admin/apps', async (request) => {
    const actor = await administrator(request);
    return deps.apps.list(actor.tenantId);
  });

  app.post('/admin/apps', async (request, reply) => {
    const actor = await administrator(request);
    const input = parseNewApp(request.body);
    const { app: registered, clientSecret } = await deps.apps.register(actor.tenantId, input, actor.account.id);
    await audited(request, actor, 'app-register', `Registered app ${registered.name} (${registered.kind}, client ${registered.clientId}) with scopes ${registered.scopes}`);
    // The secret is shown once; only its encrypted form is kept.
    return reply.code(201).send({ ...registered, ...(clientSecret ? { clientSecret } : {}) });
  });

  app.post('/admin/apps/:id/disable', async (request, reply) => {
    const actor = await administrator(request);
    const { id } = request.params as { id: string };
    if (!isUuid(id) || !(await deps.apps.disable(actor.tenantId, id))) throw notFound(`No app ${id}`);
    await deps.artifacts.revokeClient(actor.tenantId, id);
    await audited(request, actor, 'app-disable', `Disabled app ${id} and revoked its tokens`);
    return reply.code(204).send();
  });
}

function parseNewApp(value: unknown): NewApp {
  const body = (value ?? {}) as Record<string, unknown>;
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (!name || name.length > 200) throw badRequest('name is required (at most 200 characters)', 'name');
  const kind = body.kind as AppKind;
  if (!KINDS.includes(kind)) throw badRequest(`kind must be one of ${KINDS.join(', ')}`, 'kind');

  const redirectUris = body.redirectUris ?? [];
  if (!Array.isArray(redirectUris) || !redirectUris.every(isRedirectUri)) throw badRequest('redirectUris must be a list of absolute http(s) URLs without a fragment', 'redirectUris');
  if (kind !== 'backend' && redirectUris.length === 0) throw badRequest('An app that signs people in needs at least one redirect URI', 'redirectUris');

  const scopeList = Array.isArray(body.scopes) ? body.scopes : typeof body.scopes === 'string' ? body.scopes.split(/\s+/) : undefined;
  if (!scopeList || !scopeList.every((s) => typeof s === 'string')) throw badRequest('scopes must be a list (or a space-separated string) of SMART scopes', 'scopes');
  const parsed = parseScopes(scopeList.join(' '));
  if (parsed.unknown.length) throw badRequest(`Unknown scopes: ${parsed.unknown.join(', ')}`, 'scopes');
  if (parsed.resources.length === 0) throw badRequest('Allow the app at least one resource scope, e.g. patient/*.rs or system/*.rs', 'scopes');
  const wrongContext = parsed.resources.filter((s) => (kind === 'backend') !== (s.context === 'system'));
  if (wrongContext.length) {
    throw badRequest(kind === 'backend' ? 'A backend service takes only system/ scopes' : 'Only backend services take system/ scopes', 'scopes');
  }

  const jwks = body.jwks as { keys?: unknown } | undefined;
  if (jwks !== undefined && (typeof jwks !== 'object' || !Array.isArray(jwks?.keys) || jwks.keys.length === 0)) throw badRequest('jwks must be a JWK Set {"keys": [...]} of public keys', 'jwks');
  if ((jwks?.keys as unknown[] | undefined)?.some((key) => typeof key !== 'object' || key === null || 'd' in key)) throw badRequest('jwks must hold public keys only', 'jwks');
  const jwksUrl = body.jwksUrl;
  if (jwksUrl !== undefined && (typeof jwksUrl !== 'string' || !/^https:\/\//.test(jwksUrl))) throw badRequest('jwksUrl must be an https URL', 'jwksUrl');
  if (kind === 'backend' && !jwks && !jwksUrl) throw badRequest('A backend service authenticates with a signed JWT: give its public keys (jwks) or their URL (jwksUrl)', 'jwks');
  if (kind === 'public' && (jwks || jwksUrl)) throw badRequest('A public app has no keys; register it as confidential', 'jwks');

  return {
    name,
    kind,
    redirectUris: redirectUris as string[],
    scopes: [...new Set(scopeList as string[])].filter(Boolean).join(' '),
    ...(jwks ? { jwks: jwks as { keys: unknown[] } } : {}),
    ...(typeof jwksUrl === 'string' ? { jwksUrl } : {}),
  };
}

function isRedirectUri(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash;
  } catch {
    return false;
  }
}
