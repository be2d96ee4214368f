import { extractIndexRows, forbidden, patientCompartmentParams } from '@unichart/fhir';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirAccess, FhirInteraction } from '../fhir/fhir-access.js';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { StoredMatch } from '../fhir/search/execute-search.js';
import type { CompartmentScope } from '../fhir/search/search-sql.js';
import { grantingRule, type AccessRule } from './access-policy.js';
import type { Actor } from './authenticator.js';

/**
 * FHIR access for a signed-in person, from their role's policy. A rule marked ownCompartment
 * confines the person to the Patient compartment of their own Patient record: searches are
 * scoped in SQL (so counts leak nothing), single resources are checked by id.
 */
export class PolicyAccess implements FhirAccess {
  private readonly ownPatientId: string | undefined;

  constructor(private readonly actor: Actor) {
    const [type, id] = actor.account.fhirUser?.split('/') ?? [];
    this.ownPatientId = type === 'Patient' ? id : undefined;
  }

  require(resourceType: string, interaction: FhirInteraction): void {
    const rule = this.rule(resourceType, interaction);
    if (!rule || (rule.ownCompartment && !this.ownPatientId)) {
      const what = resourceType === '*' ? 'all resources' : resourceType;
      throw forbidden(`Your role (${this.actor.account.roleCode}) may not ${interaction} ${what}`);
    }
  }

  searchScope(resourceType: string): CompartmentScope | undefined {
    const rule = this.rule(resourceType, 'search') ?? this.rule(resourceType, 'read');
    if (!rule?.ownCompartment) return undefined;
    return { type: 'Patient', id: this.ownPatientId ?? '', params: patientCompartmentParams(resourceType) };
  }

  async canReach(tx: RepositoryTransaction, resourceType: string, id: string, interaction: FhirInteraction): Promise<boolean> {
    const rule = this.rule(resourceType, interaction);
    if (!rule) return false;
    if (!rule.ownCompartment) return true;
    return (await this.inOwnCompartment(tx, resourceType, [id])).has(id);
  }

  canWrite(tx: RepositoryTransaction, resource: Resource, interaction: 'create' | 'update'): boolean {
    const rule = this.rule(resource.resourceType, interaction);
    if (!rule) return false;
    if (!rule.ownCompartment) return true;
    if (resource.resourceType === 'Patient') return resource.id === this.ownPatientId;
    const links = new Set(patientCompartmentParams(resource.resourceType));
    const rows = extractIndexRows(resource as unknown as Record<string, unknown>, tx.registry, links);
    return rows.reference.some((row) => row.targetType === 'Patient' && row.targetId === this.ownPatientId);
  }

  async visible(tx: RepositoryTransaction, matches: StoredMatch[]): Promise<StoredMatch[]> {
    const byType = new Map<string, StoredMatch[]>();
    for (const match of matches) byType.set(match.resourceType, [...(byType.get(match.resourceType) ?? []), match]);
    const kept: StoredMatch[] = [];
    for (const [type, group] of byType) {
      const rule = this.rule(type, 'read');
      if (!rule) continue;
      if (!rule.ownCompartment) {
        kept.push(...group);
        continue;
      }
      const reachable = await this.inOwnCompartment(tx, type, group.map((m) => m.id));
      kept.push(...group.filter((m) => reachable.has(m.id)));
    }
    return kept;
  }

  private rule(resourceType: string, interaction: FhirInteraction): AccessRule | undefined {
    return grantingRule(this.actor.policy, resourceType, interaction);
  }

  private async inOwnCompartment(tx: RepositoryTransaction, resourceType: string, ids: string[]): Promise<Set<string>> {
    if (!this.ownPatientId || ids.length === 0) return new Set();
    const scope: CompartmentScope = { type: 'Patient', id: this.ownPatientId, params: patientCompartmentParams(resourceType) };
    const result = await tx.search(
      { resourceType, filters: [{ key: '_id', values: ids }], count: ids.length, offset: 0, sort: [], total: 'none', include: [], revinclude: [] },
      scope,
    );
    return new Set(result.matches.map((m) => m.id));
  }
}
