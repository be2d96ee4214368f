import { patientCompartmentParams } from '@unichart/fhir';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { CompartmentScope } from '../fhir/search/search-sql.js';
import type { Actor } from './authenticator.js';
import type { EmergencyAccessStore, EmergencyGrant } from './emergency-access.js';
import type { PatientReach } from './patient-reach.js';

/**
 * The patients a care-team-restricted clinician may reach in this request: those they care for
 * (Encounter, Appointment, CareTeam, general practitioner) and those opened by emergency access.
 */
export interface CareTeamReach extends PatientReach {
  readonly careTeam: ReadonlySet<string>;
  readonly emergency: readonly EmergencyGrant[];
  /** Every reachable patient id, care team and emergency alike. */
  readonly patients: readonly string[];
}

/** Whether this person is held to their care team: their role says so and the practice turned it on. */
export function isCareTeamRestricted(actor: Actor): boolean {
  return Boolean(actor.policy.careTeamOnly && actor.settings?.careTeamRestriction && !actor.app?.system);
}

export async function loadCareTeamReach(tx: RepositoryTransaction, emergency: EmergencyAccessStore, actor: Actor): Promise<CareTeamReach> {
  const [type, id] = actor.account.fhirUser?.split('/') ?? [];
  const [careTeam, grants] = await Promise.all([type === 'Practitioner' && id ? tx.patientsInCareOf(id) : Promise.resolve([]), emergency.active(actor.tenantId, actor.account.id)]);
  const patients = new Set([...careTeam, ...grants.map((g) => g.patientId)]);
  const all = [...patients];
  return { careTeam: new Set(careTeam), emergency: grants, patients: all, patientsFor: () => all };
}

/** Patient data: Patient itself and every type in the Patient compartment (the audit trail has rules of its own). */
export function isPatientData(resourceType: string): boolean {
  return resourceType === 'Patient' || (resourceType !== 'AuditEvent' && patientCompartmentParams(resourceType).length > 0);
}

/** The compartments of several patients at once, as one search scope. */
export function patientsCompartment(patientIds: readonly string[], resourceType: string): CompartmentScope {
  return { type: 'Patient', id: '', ids: patientIds, params: patientCompartmentParams(resourceType) };
}

/** Which of the ids (of one type) lie in one of the given compartments, asked of the index in SQL. */
export async function inCompartments(tx: RepositoryTransaction, scope: CompartmentScope, resourceType: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0 || (scope.ids && scope.ids.length === 0)) return new Set();
  const result = await tx.search(
    { resourceType, filters: [{ key: '_id', values: [...ids] }], count: ids.length, offset: 0, sort: [], total: 'none', include: [], revinclude: [] },
    scope,
  );
  return new Set(result.matches.map((m) => m.id));
}

/**
 * Of the resources a request touched, those in the compartment of a patient opened by emergency
 * access (and not otherwise in the person's care team), by grant: each becomes a flagged audit entry.
 */
export async function touchedUnderEmergency(
  tx: RepositoryTransaction,
  reach: CareTeamReach,
  touched: readonly { resourceType: string; id: string }[],
): Promise<{ grant: EmergencyGrant; touched: { resourceType: string; id: string }[] }[]> {
  const found = [];
  for (const grant of reach.emergency) {
    if (reach.careTeam.has(grant.patientId)) continue;
    const hits: { resourceType: string; id: string }[] = [];
    const byType = new Map<string, string[]>();
    for (const t of touched) if (isPatientData(t.resourceType)) byType.set(t.resourceType, [...(byType.get(t.resourceType) ?? []), t.id]);
    for (const [type, ids] of byType) {
      const inside = await inCompartments(tx, patientsCompartment([grant.patientId], type), type, ids);
      hits.push(...ids.filter((id) => inside.has(id)).map((id) => ({ resourceType: type, id })));
    }
    if (hits.length > 0) found.push({ grant, touched: hits });
  }
  return found;
}
