import { badRequest, FhirError, notFound } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import { INVITATION_DAYS, invitationUrl, sendInvitation, type InvitationDelivery, type InvitationLinks } from '../portal/invitation-links.js';
import type { Channel } from '../reminders/channels.js';
import type { Account, AccountStore, ListedAccount } from './account-store.js';
import { auditAgentOf, type Actor, type Authenticator } from './authenticator.js';
import { isUuid } from '../db/uuid.js';
import { newAccountInput } from './new-account-input.js';

/** Patients reach the portal through their own invitation (portal-invitations.ts), which checks their chart. */
const PORTAL_ROLE = 'patient';

export interface StaffInvitationDeps {
  readonly accounts: AccountStore;
  readonly authenticator: Authenticator;
  readonly audit: AuditTrail;
  /** The portal's links: one accept page and one accept route serve both. */
  readonly links: InvitationLinks;
  readonly email?: Channel;
  readonly publicUrl?: string;
  readonly now?: () => Date;
}

/** What the administrator gets back: the invited account, and how the link reached the person. */
export interface StaffInvitationAnswer {
  readonly account: ListedAccount;
  readonly link: string;
  readonly expiresAt: string;
  readonly sent: InvitationDelivery;
}

/**
 * Staff invited by link instead of with a password the administrator made up:
 * - `POST /admin/users/invite` `{displayName, email, role}` makes the account without a password
 *   (it cannot sign in) and emails a signed link good for INVITATION_DAYS days;
 * - `POST /admin/users/:id/invitation` sends a fresh link to an account still waiting.
 * The person accepts through `/auth/invitation/accept` like a patient does: the link works once
 * (only on an account without a password), only the latest link sent works, and none once the
 * account is deactivated.
 */
export function registerStaffInvitations(app: FastifyInstance, deps: StaffInvitationDeps): void {
  const now = deps.now ?? (() => new Date());
  const administrator = (request: FastifyRequest): Promise<Actor> => deps.authenticator.administrator(request.headers.authorization, 'invite staff');

  const invite = async (request: FastifyRequest, actor: Actor, account: Account, again: boolean): Promise<StaffInvitationAnswer> => {
    const invitedAt = now();
    const expires = invitedAt.getTime() + INVITATION_DAYS * 86_400_000;
    const link = invitationUrl(deps.publicUrl ?? `${request.protocol}://${request.host}`, deps.links.sign({ tenantId: actor.tenantId, accountId: account.id, expires }));
    // Recorded before sending: the link works from the moment it can arrive, and the one before stops.
    await deps.accounts.markInvited(actor.tenantId, account.id, invitedAt);
    const sent = await sendInvitation(deps.email, { id: `staff-invitation-${account.id}-${expires}`, to: account.email, subject: 'Your Unichart invitation', text: invitationText(link) });
    await deps.audit.record(actor.tenantId, {
      kind: 'staff-invite',
      agent: auditAgentOf(actor.account),
      outcome: 'success',
      sourceAddress: request.ip,
      description: `${again ? 'Invited again' : 'Invited'} ${account.displayName} (${account.email}) with role ${account.roleCode} (${sent.medium === 'email' ? `sent by email via ${sent.via}` : 'link handed to the administrator'})`,
    });
    const listed = (await deps.accounts.listAccounts(actor.tenantId)).find((a) => a.id === account.id);
    return { account: listed!, link, expiresAt: new Date(expires).toISOString(), sent };
  };

  app.post('/admin/users/invite', async (request, reply) => {
    const actor = await administrator(request);
    const input = await newAccountInput(deps.accounts, actor.tenantId, (request.body ?? {}) as Record<string, unknown>, { nameRequired: true, excludedRoles: [PORTAL_ROLE] });
    const account = await deps.accounts.createAccount(actor.tenantId, input);
    return reply.code(201).send(await invite(request, actor, account, false));
  });

  app.post('/admin/users/:id/invitation', async (request, reply) => {
    const actor = await administrator(request);
    const { id } = request.params as { id: string };
    const account = isUuid(id) ? await deps.accounts.findAccount(actor.tenantId, id) : undefined;
    if (!account) throw notFound(`No account ${id}`);
    if (account.roleCode === PORTAL_ROLE) throw badRequest('Patients are invited to the portal from their chart');
    if (account.passwordHash) throw new FhirError(409, 'conflict', `${account.displayName} has already accepted the invitation and signs in with a password`);
    if (account.status !== 'active') throw new FhirError(409, 'conflict', `${account.displayName} is deactivated; reactivate the account before inviting again`);
    return reply.code(201).send(await invite(request, actor, account, true));
  });
}

function invitationText(link: string): string {
  return [
    'Your practice has invited you to Unichart, its health record and practice system.',
    '',
    `Open this link to choose your password (it works once, for ${INVITATION_DAYS} days):`,
    link,
    '',
    'If your role needs two-step sign-in, you will set up an authenticator app next.',
    'If you did not expect this message, you can ignore it.',
  ].join('\n');
}
