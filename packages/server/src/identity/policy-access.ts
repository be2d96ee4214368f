import { extractIndexRows, forbidden, patientCompartmentParams } from '@unichart/fhir';
import type { RelatedPerson, Resource } from '@medplum/fhirtypes';
import type { FhirAccess, FhirInteraction } from '../fhir/fhir-access.js';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { StoredMatch } from '../fhir/search/execute-search.js';
import type { CompartmentScope } from '../fhir/search/search-sql.js';
import { grantingRule, type AccessRule } from './access-policy.js';
import type { Actor } from './authenticator.js';
import { inCompartments, isPatientData, patientsCompartment } from './care-team.js';
import type { PatientReach } from './patient-reach.js';

/**
 * FHIR access for a signed-in person, from their role's policy. A rule marked ownCompartment
 * confines the person to the Patient compartment of their own Patient record: searches are
 * scoped in SQL (so counts leak nothing), single resources are checked by id.
 *
 * With a reach (a care team, when the role is careTeamOnly and the practice turned the
 * restriction on; or what was shared with an outside provider), patient data is confined the
 * same way to the compartments of the patients reachable for each type.
 */
export class PolicyAccess implements FhirAccess {
  private readonly ownPatientId: string | undefined;

  /**
   * `dependantId`: for a guardian's account (fhirUser RelatedPerson/…), the patient found by forActor.
   * `reach`: the patients a care team or an outside provider's shares reach.
   */
  constructor(
    private readonly actor: Actor,
    dependantId?: string,
    private readonly reach?: PatientReach,
  ) {
    const [type, id] = actor.account.fhirUser?.split('/') ?? [];
    this.ownPatientId = type === 'Patient' ? id : type === 'RelatedPerson' ? dependantId : undefined;
  }

  /**
   * Access for the actor, resolving a guardian's dependant: an account whose fhirUser is a
   * RelatedPerson reaches that person's patient's compartment, as far as the role's
   * compartment rules go, only while the RelatedPerson is active, in its period, and records a
   * relationship that carries the right to see the record (see guardianOf).
   */
  static async forActor(actor: Actor, tx: RepositoryTransaction, reach?: PatientReach, now = new Date()): Promise<PolicyAccess> {
    const [type, id] = actor.account.fhirUser?.split('/') ?? [];
    if (type !== 'RelatedPerson' || !id) return new PolicyAccess(actor, undefined, reach);
    const related = await tx.read('RelatedPerson', id).then(
      (version) => JSON.parse(version.content!) as RelatedPerson,
      () => undefined,
    );
    return new PolicyAccess(actor, related && dependantOf(related, now), reach);
  }

  require(resourceType: string, interaction: FhirInteraction): void {
    const rule = this.rule(resourceType, interaction);
    if (!rule || (rule.ownCompartment && !this.ownPatientId)) {
      const what = resourceType === '*' ? 'all resources' : resourceType;
      throw forbidden(`Your role (${this.actor.account.roleCode}) may not ${interaction} ${what}`);
    }
    // Everything at once would reach past the care team.
    if (this.reach && resourceType === '*') throw forbidden(`${interaction} across all resources is not available while your access is limited to some patients`);
  }

  directWriteStatuses(resourceType: string, interaction: 'create' | 'update' | 'delete'): readonly string[] | undefined {
    return this.rule(resourceType, interaction)?.directStatuses;
  }

  searchScope(resourceType: string): CompartmentScope | undefined {
    const rule = this.rule(resourceType, 'search') ?? this.rule(resourceType, 'read');
    if (rule?.ownCompartment) return patientCompartment(this.ownPatientId, resourceType);
    return this.careTeamScope(resourceType);
  }

  async canReach(tx: RepositoryTransaction, resourceType: string, id: string, interaction: FhirInteraction): Promise<boolean> {
    const rule = this.rule(resourceType, interaction);
    if (!rule) return false;
    if (rule.ownCompartment) return (await inPatientCompartment(tx, this.ownPatientId, resourceType, [id])).has(id);
    const careTeam = this.careTeamScope(resourceType);
    return !careTeam || (await inCompartments(tx, careTeam, resourceType, [id])).has(id);
  }

  canWrite(tx: RepositoryTransaction, resource: Resource, interaction: 'create' | 'update'): boolean {
    const rule = this.rule(resource.resourceType, interaction);
    if (!rule) return false;
    if (rule.ownCompartment) return writesIntoCompartment(tx, resource, this.ownPatientId);
    if (!this.reach || !isPatientData(resource.resourceType)) return true;
    // A new patient has no care team yet; anything else must stay with patients in the reach.
    const patients = this.reach.patientsFor(resource.resourceType);
    if (resource.resourceType === 'Patient') return interaction === 'create' || patients.includes(resource.id ?? '');
    const reachable = new Set(patients);
    const links = new Set(patientCompartmentParams(resource.resourceType));
    const rows = extractIndexRows(resource as unknown as Record<string, unknown>, tx.registry, links);
    return rows.reference.every((row) => row.targetType !== 'Patient' || reachable.has(row.targetId ?? ''));
  }

  async visible(tx: RepositoryTransaction, matches: StoredMatch[]): Promise<StoredMatch[]> {
    const byType = new Map<string, StoredMatch[]>();
    for (const match of matches) byType.set(match.resourceType, [...(byType.get(match.resourceType) ?? []), match]);
    const kept: StoredMatch[] = [];
    for (const [type, group] of byType) {
      const rule = this.rule(type, 'read');
      if (!rule) continue;
      const careTeam = rule.ownCompartment ? undefined : this.careTeamScope(type);
      if (!rule.ownCompartment && !careTeam) {
        kept.push(...group);
        continue;
      }
      const ids = group.map((m) => m.id);
      const reachable = careTeam ? await inCompartments(tx, careTeam, type, ids) : await inPatientCompartment(tx, this.ownPatientId, type, ids);
      kept.push(...group.filter((m) => reachable.has(m.id)));
    }
    return kept;
  }

  /** The confinement of a type to the reachable patients, when it applies. */
  private careTeamScope(resourceType: string): CompartmentScope | undefined {
    if (!this.reach || !isPatientData(resourceType)) return undefined;
    return patientsCompartment(this.reach.patientsFor(resourceType), resourceType);
  }

  private rule(resourceType: string, interaction: FhirInteraction): AccessRule | undefined {
    return grantingRule(this.actor.policy, resourceType, interaction);
  }

}

const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
/**
 * Relationships (HL7 v3 RoleCode) that give a person the right to act for a patient: guardians,
 * parents of every kind, and holders of a (healthcare) power of attorney. A spouse, friend or
 * emergency contact on file does not see the record.
 */
export const GUARDIAN_RELATIONSHIPS: ReadonlySet<string> = new Set([
  'GUARD', 'PRN', 'NPRN', 'MTH', 'FTH', 'NMTH', 'NFTH', 'ADOPTP', 'ADOPTM', 'ADOPTF', 'STPPRN', 'STPMTH', 'STPFTH',
  'PRNFOST', 'MTHFOST', 'FTHFOST', 'POWATT', 'HPOWATT', 'DPOWATT',
]);

/** The patient a RelatedPerson may act for, if the recorded relationship and its dates allow it. */
export function dependantOf(related: RelatedPerson, now: Date): string | undefined {
  if (related.active === false) return undefined;
  if (related.period?.start && new Date(related.period.start) > now) return undefined;
  if (related.period?.end && new Date(related.period.end) < now) return undefined;
  const recorded = related.relationship?.some((r) => r.coding?.some((c) => c.system === ROLE_CODE && c.code && GUARDIAN_RELATIONSHIPS.has(c.code)));
  const [type, id] = related.patient.reference?.split('/') ?? [];
  return recorded && type === 'Patient' ? id : undefined;
}

/** The Patient compartment of one patient, as a search scope (no patient: a compartment nothing is in). */
export function patientCompartment(patientId: string | undefined, resourceType: string): CompartmentScope {
  return { type: 'Patient', id: patientId ?? '', params: patientCompartmentParams(resourceType) };
}

/** Which of the ids (of one type) are in the patient's compartment, asked of the index in SQL. */
export async function inPatientCompartment(tx: RepositoryTransaction, patientId: string | undefined, resourceType: string, ids: string[]): Promise<Set<string>> {
  if (!patientId || ids.length === 0) return new Set();
  const result = await tx.search(
    { resourceType, filters: [{ key: '_id', values: ids }], count: ids.length, offset: 0, sort: [], total: 'none', include: [], revinclude: [] },
    patientCompartment(patientId, resourceType),
  );
  return new Set(result.matches.map((m) => m.id));
}

/** Whether a resource about to be written lies in the patient's compartment. */
export function writesIntoCompartment(tx: RepositoryTransaction, resource: Resource, patientId: string | undefined): boolean {
  if (!patientId) return false;
  if (resource.resourceType === 'Patient') return resource.id === patientId;
  const links = new Set(patientCompartmentParams(resource.resourceType));
  const rows = extractIndexRows(resource as unknown as Record<string, unknown>, tx.registry, links);
  return rows.reference.some((row) => row.targetType === 'Patient' && row.targetId === patientId);
}
