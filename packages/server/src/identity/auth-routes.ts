import { generateSecret, generateURI } from 'otplib';
import { badRequest } from '@unichart/fhir';
import type { FieldEncryption } from '../security/field-encryption.js';
import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { AccountStore } from './account-store.js';
import { auditAgentOf as agentOf, type Authenticator } from './authenticator.js';
import { authenticatorCodeStep, SignInError, type SignIn } from './sign-in.js';
import { signInRateLimit } from '../http/protection.js';

/** POST /auth/login (the fixed interface), /auth/refresh, /auth/logout and GET /auth/me. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: {
    signIn: SignIn;
    accounts: AccountStore;
    authenticator: Authenticator;
    audit: AuditTrail;
    encryption: FieldEncryption;
    signInsPerMinute: number;
    idleMinutes: number;
  },
): void {
  app.post('/auth/login', { config: signInRateLimit(deps.signInsPerMinute) }, async (request) => {
    const body = (request.body ?? {}) as { email?: unknown; password?: unknown; totp?: unknown };
    if (typeof body.email !== 'string' || typeof body.password !== 'string') throw badRequest('Send JSON {"email": "...", "password": "..."} (and "totp" when MFA is on)');
    if (body.totp !== undefined && typeof body.totp !== 'string') throw badRequest('totp must be the 6-digit code as a string', 'totp');
    try {
      const { tokens, account } = await deps.signIn.withPassword(body.email.trim(), body.password, body.totp);
      const description = 'mfa_enrolment_required' in tokens ? 'Signed in only to enrol a second factor the practice requires' : undefined;
      await deps.audit.record(account.tenantId, { kind: 'login', agent: agentOf(account), outcome: 'success', sourceAddress: request.ip, description });
      return tokens;
    } catch (error) {
      // A failed sign-in to a known account goes on that practice's trail; unknown emails have no practice.
      if (error instanceof SignInError && error.account && error.reason !== 'mfa-required') {
        await deps.audit.record(error.account.tenantId, { kind: 'login-failed', agent: agentOf(error.account), outcome: 'denied', sourceAddress: request.ip, description: error.message });
      }
      throw error;
    }
  });

  app.post('/auth/refresh', async (request) => {
    const body = (request.body ?? {}) as { refresh_token?: unknown };
    if (typeof body.refresh_token !== 'string') throw badRequest('Send JSON {"refresh_token": "..."}');
    return deps.signIn.withRefreshToken(body.refresh_token);
  });

  // These four answer a session restricted to enrolling MFA; every other route refuses it.
  const allowRestricted = { allowRestricted: true };
  app.post('/auth/logout', async (request, reply) => {
    const actor = await deps.authenticator.authenticate(request.headers.authorization, allowRestricted);
    await deps.accounts.revokeSession(actor.tenantId, actor.sessionId);
    await deps.audit.record(actor.tenantId, { kind: 'logout', agent: agentOf(actor.account), outcome: 'success', sourceAddress: request.ip });
    return reply.code(204).send();
  });

  // Multi-factor enrolment: the server proposes a secret; it is kept (encrypted) only once the
  // person proves their authenticator app holds it by sending a current code.
  app.post('/auth/mfa/setup', async (request) => {
    const actor = await deps.authenticator.authenticate(request.headers.authorization, allowRestricted);
    const secret = generateSecret();
    return { secret, otpauthUri: generateURI({ secret, label: actor.account.email, issuer: 'Unichart' }) };
  });

  app.post('/auth/mfa/confirm', async (request, reply) => {
    const actor = await deps.authenticator.authenticate(request.headers.authorization, allowRestricted);
    const body = (request.body ?? {}) as { secret?: unknown; totp?: unknown };
    if (typeof body.secret !== 'string' || !/^[A-Z2-7]{16,64}$/.test(body.secret)) throw badRequest('secret must be the base32 secret from /auth/mfa/setup', 'secret');
    if (typeof body.totp !== 'string') throw badRequest('totp must be the current 6-digit code', 'totp');
    const step = await authenticatorCodeStep(body.secret, body.totp);
    if (step === undefined) throw badRequest('The code does not match; check the time on the device and try again', 'totp');
    await deps.accounts.setMfaSecret(actor.tenantId, actor.account.id, deps.encryption.encrypt(body.secret), step);
    // The enrolment-only session has done its one job; a full session needs a sign-in with the code.
    if (actor.restriction) await deps.accounts.revokeSession(actor.tenantId, actor.sessionId);
    return reply.code(204).send();
  });

  app.get('/auth/me', async (request) => {
    const actor = await deps.authenticator.authenticate(request.headers.authorization, allowRestricted);
    const { id, email, displayName, roleCode, fhirUser, mfaEnabled } = actor.account;
    const role = (await deps.accounts.listRoles(actor.tenantId)).find((r) => r.code === roleCode);
    // The policy lets the web app show only the workspaces this role can use (the server still checks every call);
    // idleMinutes lets it warn before the server ends an unused session.
    return { id, email, displayName, role: roleCode, roleName: role?.name ?? roleCode, policy: actor.policy, fhirUser, mfaEnabled, practiceId: actor.tenantId, idleMinutes: actor.settings?.idleMinutes ?? deps.idleMinutes, ...(actor.restriction ? { restriction: actor.restriction } : {}) };
  });
}
