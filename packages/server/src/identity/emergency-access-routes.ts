import { badRequest, FhirError, forbidden, notFound } from '@unichart/fhir';
import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { FhirRepository } from '../fhir/repository.js';
import { auditAgentOf, type Authenticator } from './authenticator.js';
import type { EmergencyAccessStore } from './emergency-access.js';
import { DEFAULT_SECURITY_SETTINGS } from '../practice/security-settings.js';
import { isUuid } from '../db/uuid.js';

const PATIENT = /^(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/;
const MIN_REASON = 10;
const MAX_NOTE = 2000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Emergency access ("break the glass"): a clinician held to their care team opens one patient's
 * record for a while after giving a reason; administrators review every such access.
 */
export function registerEmergencyAccessRoutes(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; audit: AuditTrail; emergencyAccess: EmergencyAccessStore; repositoryFor: (tenantId: string) => Promise<FhirRepository> },
): void {
  app.post('/auth/emergency-access', async (request, reply) => {
    const actor = await deps.authenticator.authenticate(request.headers.authorization);
    if (!actor.policy.careTeamOnly) throw forbidden(`Emergency access is for clinicians held to their care team; your role (${actor.account.roleCode}) is not`);
    const body = (request.body ?? {}) as { patient?: unknown; reason?: unknown };
    const patientId = typeof body.patient === 'string' ? PATIENT.exec(body.patient)?.[1] : undefined;
    if (!patientId) throw badRequest('patient must be "Patient/<id>"', 'patient');
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (reason.length < MIN_REASON) throw badRequest(`Give the reason for emergency access (at least ${MIN_REASON} characters)`, 'reason');
    // 404 for a patient that does not exist, before anything is granted.
    await (await deps.repositoryFor(actor.tenantId)).reader().read('Patient', patientId);
    const minutes = (actor.settings ?? DEFAULT_SECURITY_SETTINGS).emergencyAccessMinutes;
    const grant = await deps.emergencyAccess.grant(actor.tenantId, { accountId: actor.account.id, patientId, reason, minutes });
    await deps.audit.record(actor.tenantId, {
      kind: 'emergency-access',
      agent: auditAgentOf(actor.account),
      outcome: 'success',
      entity: `Patient/${patientId}`,
      patients: [patientId],
      reason,
      description: `Emergency access started, until ${grant.expiresAt}`,
      sourceAddress: request.ip,
    });
    return reply.code(201).send({ ...grant, patient: `Patient/${patientId}` });
  });

  app.get('/admin/emergency-access', async (request) => {
    const actor = await deps.authenticator.administrator(request.headers.authorization, 'review emergency access');
    const query = request.query as { since?: unknown; until?: unknown };
    const instant = (value: unknown, name: string, fallback: Date): Date => {
      if (value === undefined) return fallback;
      const parsed = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
      if (Number.isNaN(parsed.getTime())) throw badRequest(`${name} must be a date or instant`, name);
      return parsed;
    };
    const until = instant(query.until, 'until', new Date(Date.now() + DAY_MS));
    const since = instant(query.since, 'since', new Date(until.getTime() - 30 * DAY_MS));
    const report = await deps.emergencyAccess.report(actor.tenantId, since, until);
    await deps.audit.record(actor.tenantId, { kind: 'search', agent: auditAgentOf(actor.account), outcome: 'success', query: `emergency-access?since=${since.toISOString()}&until=${until.toISOString()}`, sourceAddress: request.ip });
    return report.map((entry) => ({ ...entry, patient: `Patient/${entry.patientId}` }));
  });

  // The administrator's conclusion goes beside the grant and on the audit trail; the first review stands.
  app.post('/admin/emergency-access/:id/review', async (request, reply) => {
    const actor = await deps.authenticator.administrator(request.headers.authorization, 'review emergency access');
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as { note?: unknown };
    const note = typeof body.note === 'string' ? body.note.trim() : '';
    if (!note) throw badRequest('Write a note on what the review found (e.g. "Confirmed with the ward: patient was admitted unconscious")', 'note');
    if (note.length > MAX_NOTE) throw badRequest(`Keep the note to ${MAX_NOTE} characters`, 'note');
    const outcome = isUuid(id) ? await deps.emergencyAccess.review(actor.tenantId, { grantId: id, reviewerId: actor.account.id, note }) : { status: 'missing' as const };
    if (outcome.status === 'missing') throw notFound(`No emergency access ${id}`);
    if (outcome.status === 'already-reviewed') throw new FhirError(409, 'conflict', 'This emergency access has already been reviewed');
    await deps.audit.record(actor.tenantId, {
      kind: 'emergency-access-review',
      agent: auditAgentOf(actor.account),
      outcome: 'success',
      entity: `Patient/${outcome.grant.patientId}`,
      patients: [outcome.grant.patientId],
      sourceAddress: request.ip,
      // The note stays with the review (administrators only): the patient's accounting lists this entry too.
      description: `Reviewed emergency access ${id} (started ${outcome.grant.startedAt})`,
    });
    return reply.code(204).send();
  });
}
