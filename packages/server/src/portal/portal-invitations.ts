import type { Patient } from '@medplum/fhirtypes';
import { badRequest, FhirError, forbidden, notFound } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { FhirRepository } from '../fhir/repository.js';
import { grantingRule } from '../identity/access-policy.js';
import type { AccountStore } from '../identity/account-store.js';
import { auditAgentOf, type Actor, type Authenticator } from '../identity/authenticator.js';
import { hashPassword, passwordProblem } from '../identity/passwords.js';
import { signInRateLimit } from '../http/protection.js';
import type { Channel } from '../reminders/channels.js';
import { INVITATION_DAYS, invitationUrl, sendInvitation, type InvitationDelivery, type InvitationLinks } from './invitation-links.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export interface InvitationDeps {
  readonly accounts: AccountStore;
  readonly authenticator: Authenticator;
  readonly audit: AuditTrail;
  readonly links: InvitationLinks;
  readonly repositoryFor: (tenantId: string) => Promise<FhirRepository>;
  /** Email for the link; without it the link is only handed to the staff member. */
  readonly email?: Channel;
  /** Origin the link points at; without it, the origin of the staff member's request. */
  readonly publicUrl?: string;
  readonly signInsPerMinute: number;
  readonly now?: () => Date;
}

/** What the staff member gets back: the link to give the patient, and whether it was also sent. */
export interface InvitationAnswer {
  readonly accountId: string;
  readonly email: string;
  readonly link: string;
  readonly expiresAt: string;
  /** `email` via smtp or outbox, or `none` when the patient has no address on file. */
  readonly sent: InvitationDelivery;
}

/**
 * The portal's front door:
 * - `POST /admin/patients/:patientId/invite` (administrators, and staff who may edit any Patient: front desk,
 *   nurses, physicians) makes a pending portal account (role `patient`, fhirUser `Patient/<id>`, no password)
 *   and returns a signed one-time link, also emailed to the patient's address on file.
 * - `POST /auth/invitation` `{token}`: whose invitation it is (for the page that opens it).
 * - `POST /auth/invitation/accept` `{token, password}`: the patient chooses a password (the usual policy) and
 *   may then sign in as anyone does, and turn on an authenticator from the account page.
 */
export function registerPortalInvitations(app: FastifyInstance, deps: InvitationDeps): void {
  const now = deps.now ?? (() => new Date());
  const inviter = async (request: FastifyRequest): Promise<Actor> => {
    const actor = await deps.authenticator.authenticate(request.headers.authorization);
    const rule = grantingRule(actor.policy, 'Patient', 'update');
    if (!actor.policy.administration && (!rule || rule.ownCompartment)) throw forbidden(`Your role (${actor.account.roleCode}) may not invite patients to the portal`);
    return actor;
  };

  app.post<{ Params: { patientId: string } }>('/admin/patients/:patientId/invite', async (request, reply) => {
    const actor = await inviter(request);
    const { patientId } = request.params;
    if (!FHIR_ID.test(patientId)) throw badRequest('patientId must be a Patient id');
    const body = (request.body ?? {}) as { email?: unknown };
    if (body.email !== undefined && (typeof body.email !== 'string' || !EMAIL.test(body.email.trim()))) throw badRequest('email must be an email address', 'email');
    const agent = auditAgentOf(actor.account);
    const repo = await deps.repositoryFor(actor.tenantId);
    const patient = await readPatient(repo, patientId);
    if (!patient) throw notFound(`No Patient/${patientId}`);
    // Reading the chart for its name and address is a read of patient data like any other.
    await deps.audit.record(actor.tenantId, { kind: 'read', agent, outcome: 'success', entity: `Patient/${patientId}`, sourceAddress: request.ip, patients: [patientId] });
    const email = typeof body.email === 'string' ? body.email.trim() : emailOf(patient);
    if (!email) throw badRequest('The patient has no email address on file; send one as "email"', 'email');

    const fhirUser = `Patient/${patientId}`;
    const existing = (await deps.accounts.listAccounts(actor.tenantId)).find((a) => a.fhirUser === fhirUser && a.roleCode === 'patient');
    let account = existing && (await deps.accounts.findAccount(actor.tenantId, existing.id));
    if (account?.passwordHash) throw new FhirError(409, 'duplicate', 'This patient already has a portal account; they sign in with it (an administrator can reset it)');
    if (account && account.email.toLowerCase() !== email.toLowerCase()) throw badRequest(`The patient's pending invitation is for ${account.email}; invite again with that address`, 'email');
    if (!account) {
      if (await deps.accounts.findByEmail(email)) throw badRequest('Another account already uses this email address', 'email');
      const created = await deps.accounts.createAccount(actor.tenantId, { email, displayName: displayNameOf(patient) ?? email, roleCode: 'patient', fhirUser });
      account = { ...created, failedSignIns: 0 };
    }

    const expires = now().getTime() + INVITATION_DAYS * 86_400_000;
    const token = deps.links.sign({ tenantId: actor.tenantId, accountId: account.id, expires });
    const link = invitationUrl(deps.publicUrl ?? `${request.protocol}://${request.host}`, token);
    const sent = await sendInvitation(deps.email, { id: `portal-invitation-${account.id}-${expires}`, to: email, subject: 'Your patient portal invitation', text: invitationText(link) });
    await deps.audit.record(actor.tenantId, {
      kind: 'portal-invite',
      agent,
      outcome: 'success',
      entity: fhirUser,
      sourceAddress: request.ip,
      patients: [patientId],
      description: `Invited ${email} to the patient portal for ${fhirUser} (${sent.medium === 'email' ? `sent by email via ${sent.via}` : 'link handed to staff'})`,
    });
    const answer: InvitationAnswer = { accountId: account.id, email, link, expiresAt: new Date(expires).toISOString(), sent };
    return reply.code(201).send(answer);
  });

  const spent = () => new FhirError(404, 'not-found', 'This invitation link no longer works: it has expired or was already used. Ask the practice for a new one, or sign in.');
  const pendingAccount = async (token: unknown) => {
    if (typeof token !== 'string') throw badRequest('Send JSON {"token": "..."} from the invitation link', 'token');
    const invitation = deps.links.verify(token, now().getTime());
    const account = invitation && (await deps.accounts.findAccount(invitation.tenantId, invitation.accountId));
    // A staff invitation sent again replaces the one before: only the latest link (made at invitedAt) works.
    const invitedAt = account && (await deps.accounts.invitedAt(account.tenantId, account.id));
    const superseded = invitedAt !== undefined && invitation!.expires !== invitedAt.getTime() + INVITATION_DAYS * 86_400_000;
    if (!account || account.passwordHash || account.status !== 'active' || superseded) throw spent();
    return { account, invitedAt };
  };

  app.post('/auth/invitation', { config: signInRateLimit(deps.signInsPerMinute) }, async (request) => {
    const { account } = await pendingAccount((request.body as { token?: unknown } | undefined)?.token);
    // The role tells the page whether it welcomes a patient to the portal or a colleague to the practice.
    return { email: account.email, displayName: account.displayName, role: account.roleCode };
  });

  app.post('/auth/invitation/accept', { config: signInRateLimit(deps.signInsPerMinute) }, async (request, reply) => {
    const body = (request.body ?? {}) as { token?: unknown; password?: unknown };
    const { account, invitedAt } = await pendingAccount(body.token);
    if (typeof body.password !== 'string') throw badRequest('password must be a string', 'password');
    const problem = passwordProblem(body.password, account.email);
    if (problem) throw badRequest(problem, 'password');
    if (!(await deps.accounts.setInvitedPassword(account.tenantId, account.id, await hashPassword(body.password), invitedAt))) throw spent();
    await deps.audit.record(account.tenantId, { kind: 'password-set', agent: auditAgentOf(account), outcome: 'success', sourceAddress: request.ip, description: `Chose a password from ${account.roleCode === 'patient' ? 'a portal' : 'a staff'} invitation` });
    return reply.code(200).send({ email: account.email });
  });
}

async function readPatient(repo: FhirRepository, id: string): Promise<Patient | undefined> {
  try {
    const version = await repo.reader().read('Patient', id);
    return JSON.parse(version.content!) as Patient;
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}

function emailOf(patient: Patient): string | undefined {
  const value = patient.telecom?.find((t) => t.system === 'email' && t.value && !t.period?.end)?.value?.trim();
  return value && EMAIL.test(value) ? value : undefined;
}

function displayNameOf(patient: Patient): string | undefined {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const text = name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
  return text || undefined;
}

function invitationText(link: string): string {
  return [
    'Your practice has invited you to its patient portal, where you can see your record, results and appointments and send the practice a message.',
    '',
    `Open this link to choose your password (it works once, for ${INVITATION_DAYS} days):`,
    link,
    '',
    'If you did not expect this message, you can ignore it.',
  ].join('\n');
}
