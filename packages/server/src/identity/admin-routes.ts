import { badRequest, notFound } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAccessPolicy } from './access-policy.js';
import type { AccountStore } from './account-store.js';
import type { AuditKind } from '../audit/audit-record.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { auditAgentOf, type Actor, type Authenticator } from './authenticator.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { applySecurityChange, securitySettingsProblem, type SecuritySettingsStore } from '../practice/security-settings.js';
import { isUuid } from '../db/uuid.js';
import { newAccountInput } from './new-account-input.js';

const FHIR_USER = /^(Practitioner|Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/;

/** Accounts and roles, for administrators of the practice; every change goes on the audit trail. */
export function registerAdminRoutes(
  app: FastifyInstance,
  deps: { accounts: AccountStore; authenticator: Authenticator; audit: AuditTrail; settings: SecuritySettingsStore },
): void {
  const administrator = (request: FastifyRequest): Promise<Actor> => deps.authenticator.administrator(request.headers.authorization, 'manage accounts');
  // Who changed whose access, and how: an auditor asks this first after an incident.
  const audited = (request: FastifyRequest, actor: Actor, kind: AuditKind, description: string) =>
    deps.audit.record(actor.tenantId, { kind, agent: auditAgentOf(actor.account), outcome: 'success', sourceAddress: request.ip, description });
  const named = (account: { displayName: string; email: string }) => `${account.displayName} (${account.email})`;

  app.get('/admin/users', async (request) => {
    const actor = await administrator(request);
    return deps.accounts.listAccounts(actor.tenantId);
  });

  app.post('/admin/users', async (request, reply) => {
    const actor = await administrator(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { email, displayName, roleCode: role } = await newAccountInput(deps.accounts, actor.tenantId, body, { nameRequired: false });
    if (body.fhirUser !== undefined && (typeof body.fhirUser !== 'string' || !FHIR_USER.test(body.fhirUser))) {
      throw badRequest('fhirUser must be Practitioner/<id>, Patient/<id> or RelatedPerson/<id>', 'fhirUser');
    }
    let passwordHash: string | undefined;
    if (body.password !== undefined) {
      if (typeof body.password !== 'string') throw badRequest('password must be a string', 'password');
      const problem = passwordProblem(body.password, email);
      if (problem) throw badRequest(problem, 'password');
      passwordHash = await hashPassword(body.password);
    }
    const account = await deps.accounts.createAccount(actor.tenantId, { email, displayName, roleCode: role, passwordHash, fhirUser: body.fhirUser as string | undefined });
    await audited(request, actor, 'account-create', `Created ${named(account)} with role ${role}`);
    return reply.code(201).send(account);
  });

  app.post('/admin/users/:id/deactivate', async (request, reply) => {
    const actor = await administrator(request);
    const { id } = request.params as { id: string };
    if (id === actor.account.id) throw badRequest('You cannot deactivate your own account');
    const account = isUuid(id) ? await deps.accounts.findAccount(actor.tenantId, id) : undefined;
    if (!account || !(await deps.accounts.deactivate(actor.tenantId, id))) throw notFound(`No account ${id}`);
    await audited(request, actor, 'account-deactivate', `Deactivated ${named(account)}`);
    return reply.code(204).send();
  });

  app.post('/admin/users/:id/reactivate', async (request, reply) => {
    const actor = await administrator(request);
    const { id } = request.params as { id: string };
    const account = isUuid(id) ? await deps.accounts.findAccount(actor.tenantId, id) : undefined;
    if (!account) throw notFound(`No account ${id}`);
    await deps.accounts.reactivate(actor.tenantId, id);
    await audited(request, actor, 'account-reactivate', `Reactivated ${named(account)}`);
    return reply.code(204).send();
  });

  // A lost phone: the administrator clears the account's second factor; it enrols again.
  app.post('/admin/users/:id/reset-mfa', async (request, reply) => {
    const actor = await administrator(request);
    const { id } = request.params as { id: string };
    const account = isUuid(id) ? await deps.accounts.findAccount(actor.tenantId, id) : undefined;
    if (!account) throw notFound(`No account ${id}`);
    await deps.accounts.setMfaSecret(actor.tenantId, id, null);
    await audited(request, actor, 'mfa-reset', `Reset the second factor of ${named(account)}`);
    return reply.code(204).send();
  });

  registerSecuritySettingRoutes(app, deps, administrator, audited);

  app.get('/admin/roles', async (request) => {
    const actor = await administrator(request);
    return deps.accounts.listRoles(actor.tenantId);
  });

  app.put('/admin/roles/:code', async (request) => {
    const actor = await administrator(request);
    const { code } = request.params as { code: string };
    const body = (request.body ?? {}) as { name?: unknown; policy?: unknown };
    if (!/^[a-z][a-z0-9-]{1,40}$/.test(code)) throw badRequest('A role code is lower-case letters, digits and "-"');
    if (typeof body.name !== 'string' || !body.name.trim()) throw badRequest('name is required', 'name');
    if (!isAccessPolicy(body.policy)) {
      throw badRequest(
        'policy must be {"rules": [{"resourceTypes": [...], "interactions": [...], "ownCompartment"?: boolean}], "administration"?, "requiresMfa"?, "careTeamOnly"?, "sensitiveIdentifiers"?: boolean}',
        'policy',
      );
    }
    await deps.accounts.saveRole(actor.tenantId, { code, name: body.name.trim(), policy: body.policy });
    await audited(request, actor, 'role-update', `Saved role ${code}: ${JSON.stringify(body.policy)}`);
    return { code, name: body.name.trim(), policy: body.policy };
  });
}

/** The practice's security switches: MFA required, care-team restriction, emergency access length, automatic logoff. */
function registerSecuritySettingRoutes(
  app: FastifyInstance,
  deps: { settings: SecuritySettingsStore },
  administrator: (request: FastifyRequest) => Promise<Actor>,
  audited: (request: FastifyRequest, actor: Actor, kind: AuditKind, description: string) => Promise<void>,
): void {
  app.get('/admin/settings/security', async (request) => {
    const actor = await administrator(request);
    return deps.settings.get(actor.tenantId);
  });

  app.put('/admin/settings/security', async (request) => {
    const actor = await administrator(request);
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Send JSON such as {"mfaRequired": true}');
    const problem = securitySettingsProblem(body as Record<string, unknown>);
    if (problem) throw badRequest(problem);
    const before = await deps.settings.get(actor.tenantId);
    const after = applySecurityChange(before, body as Record<string, unknown>);
    await deps.settings.save(actor.tenantId, after);
    const changes = Object.entries(body as Record<string, unknown>).map(([name, value]) => `${name}: ${JSON.stringify(before[name as keyof typeof before]) ?? 'default'} -> ${JSON.stringify(value ?? undefined) ?? 'default'}`);
    await audited(request, actor, 'setting-update', `Security settings changed (${changes.join(', ') || 'nothing'})`);
    return after;
  });
}
