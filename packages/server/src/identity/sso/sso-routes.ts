import { badRequest, FhirError } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditTrail } from '../../audit/audit-trail.js';
import { auditAgentOf, type Actor, type Authenticator } from '../authenticator.js';
import { practiceOfState, type SingleSignOn, type SsoProviderInput } from './single-sign-on.js';

/**
 * Single sign-on: the sign-in page's buttons, the round trip to the practice's provider, and
 * the administrator's settings. The browser comes back to the web app at `/app/sso` with the
 * session's tokens in the URL fragment (never sent to a server, never in a log).
 */
export function registerSsoRoutes(app: FastifyInstance, deps: { sso: SingleSignOn; authenticator: Authenticator; audit: AuditTrail; appOrigin: string }): void {
  const { sso, audit } = deps;
  const administrator = (request: FastifyRequest): Promise<Actor> => deps.authenticator.administrator(request.headers.authorization, 'change how the practice signs in');
  const backToApp = (fragment: Record<string, string>) => `${deps.appOrigin}/app/sso#${new URLSearchParams(fragment).toString()}`;

  app.get('/auth/sso', async () => sso.choices());

  app.get<{ Params: { id: string } }>('/auth/sso/:id/start', async (request, reply) => reply.redirect(await sso.start(request.params.id)));

  app.get('/auth/sso/callback', async (request, reply) => {
    const url = new URL(request.url, deps.appOrigin);
    const providerError = url.searchParams.get('error_description') ?? url.searchParams.get('error');
    if (providerError) return reply.redirect(backToApp({ error: `The sign-in service said: ${providerError}` }));
    try {
      const { tokens, account, provider } = await sso.finish(url);
      await audit.record(account.tenantId, { kind: 'login', agent: auditAgentOf(account), outcome: 'success', sourceAddress: request.ip, description: `Signed in through ${provider}` });
      return reply.redirect(backToApp({ access_token: tokens.access_token, refresh_token: tokens.refresh_token, expires_in: String(tokens.expires_in) }));
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      const tenantId = practiceOfState(url.searchParams.get('state') ?? '');
      if (tenantId) {
        await audit.record(tenantId, { kind: 'login-failed', agent: { name: 'single sign-on' }, outcome: 'denied', sourceAddress: request.ip, description: error.message });
      }
      return reply.redirect(backToApp({ error: error.message }));
    }
  });

  app.get('/admin/sso', async (request) => sso.list((await administrator(request)).tenantId));

  app.post('/admin/sso', async (request, reply) => {
    const actor = await administrator(request);
    const input = providerInput(request.body);
    const saved = await sso.save(actor.tenantId, input, typeof (request.body as { id?: unknown }).id === 'string' ? (request.body as { id: string }).id : undefined);
    await audit.record(actor.tenantId, { kind: 'sso-update', agent: auditAgentOf(actor.account), outcome: 'success', sourceAddress: request.ip, description: `Single sign-on through ${saved.name}${saved.required ? ' (required)' : ''}` });
    return reply.code(201).send(saved);
  });

  app.post<{ Params: { id: string } }>('/admin/sso/:id/disable', async (request, reply) => {
    const actor = await administrator(request);
    await sso.disable(actor.tenantId, request.params.id);
    await audit.record(actor.tenantId, { kind: 'sso-update', agent: auditAgentOf(actor.account), outcome: 'success', sourceAddress: request.ip, description: `Single sign-on provider ${request.params.id} disabled` });
    return reply.code(204).send();
  });
}

function providerInput(body: unknown): SsoProviderInput {
  const input = (body ?? {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = input[name];
    if (typeof value !== 'string' || !value.trim()) throw badRequest(`${name} is required`, name);
    return value.trim();
  };
  const issuer = text('issuer');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw badRequest('issuer must be the provider\'s URL, such as https://login.example.com/realms/clinic', 'issuer');
  }
  if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) throw badRequest('issuer must use https', 'issuer');
  const roleMap = input.roleMap ?? {};
  if (typeof roleMap !== 'object' || roleMap === null || Object.values(roleMap).some((v) => typeof v !== 'string')) throw badRequest('roleMap maps claim values to role codes', 'roleMap');
  if (input.roleClaim !== undefined && typeof input.roleClaim !== 'string') throw badRequest('roleClaim must be a claim name', 'roleClaim');
  if (input.required !== undefined && typeof input.required !== 'boolean') throw badRequest('required must be true or false', 'required');
  return { name: text('name'), issuer, clientId: text('clientId'), clientSecret: text('clientSecret'), roleClaim: input.roleClaim as string | undefined, roleMap: roleMap as Record<string, string>, required: input.required as boolean | undefined };
}
