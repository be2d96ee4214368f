import { forbidden } from '@unichart/fhir';
import type { Resource } from '@medplum/fhirtypes';
import type { FhirAccess, FhirInteraction } from '../../fhir/fhir-access.js';
import type { RepositoryTransaction } from '../../fhir/repository.js';
import type { StoredMatch } from '../../fhir/search/execute-search.js';
import type { CompartmentScope } from '../../fhir/search/search-sql.js';
import type { AppGrant } from '../authenticator.js';
import { inPatientCompartment, patientCompartment, writesIntoCompartment } from '../policy-access.js';
import { anyPermits, type ScopeContext, type ScopePermission } from './smart-scopes.js';

const PERMISSION: Record<FhirInteraction, ScopePermission> = { read: 'r', history: 'r', search: 's', create: 'c', update: 'u', delete: 'd' };

/** How far a token reaches for one type and interaction: everywhere the role reaches, one patient's compartment, or nowhere. */
type Reach = 'role' | 'patient' | undefined;

/**
 * FHIR access for an app: the person's own access (their role's policy) AND the token's scopes
 * AND what the administrator allowed the app. Scopes only ever narrow: each check asks the
 * role first, then the scopes. `patient/` scopes confine the app to the launch patient's
 * compartment, with the same SQL scoping a patient's own portal access uses.
 */
export class ScopedAccess implements FhirAccess {
  constructor(
    private readonly role: FhirAccess,
    private readonly grant: AppGrant,
  ) {}

  require(resourceType: string, interaction: FhirInteraction): void {
    this.role.require(resourceType, interaction);
    const reach = this.reach(resourceType, interaction);
    if (!reach) throw forbidden(`The app's access token does not allow ${interaction} on ${resourceType === '*' ? 'all resources' : resourceType}`);
    if (reach === 'patient' && !this.grant.patient) throw forbidden(`The app's access is limited to a patient, and no patient was chosen at launch`);
    // Across all types (system-wide history) nothing confines the answer to one compartment.
    if (reach === 'patient' && resourceType === '*') throw forbidden(`The app's access is limited to one patient; ${interaction} across all resources is not available`);
  }

  directWriteStatuses(resourceType: string, interaction: 'create' | 'update' | 'delete'): readonly string[] | undefined {
    return this.role.directWriteStatuses(resourceType, interaction);
  }

  searchScope(resourceType: string): CompartmentScope | undefined {
    const own = this.role.searchScope(resourceType);
    if (own) return own;
    const reach = this.reach(resourceType, 'search') ?? this.reach(resourceType, 'read');
    return reach === 'patient' ? patientCompartment(this.grant.patient, resourceType) : undefined;
  }

  async canReach(tx: RepositoryTransaction, resourceType: string, id: string, interaction: FhirInteraction): Promise<boolean> {
    const reach = this.reach(resourceType, interaction);
    if (!reach || !(await this.role.canReach(tx, resourceType, id, interaction))) return false;
    return reach === 'role' || (await inPatientCompartment(tx, this.grant.patient, resourceType, [id])).has(id);
  }

  canWrite(tx: RepositoryTransaction, resource: Resource, interaction: 'create' | 'update'): boolean {
    const reach = this.reach(resource.resourceType, interaction);
    if (!reach || !this.role.canWrite(tx, resource, interaction)) return false;
    return reach === 'role' || writesIntoCompartment(tx, resource, this.grant.patient);
  }

  async visible(tx: RepositoryTransaction, matches: StoredMatch[]): Promise<StoredMatch[]> {
    const allowed = await this.role.visible(tx, matches);
    const kept: StoredMatch[] = [];
    for (const type of new Set(allowed.map((m) => m.resourceType))) {
      const group = allowed.filter((m) => m.resourceType === type);
      const reach = this.reach(type, 'read');
      if (reach === 'role') kept.push(...group);
      if (reach === 'patient') {
        const inside = await inPatientCompartment(tx, this.grant.patient, type, group.map((m) => m.id));
        kept.push(...group.filter((m) => inside.has(m.id)));
      }
    }
    return kept;
  }

  /** A scope counts only if the administrator allowed the app the same in that context. */
  private reach(resourceType: string, interaction: FhirInteraction): Reach {
    const permission = PERMISSION[interaction];
    const granted = (context: ScopeContext) => anyPermits(this.grant.scopes, context, resourceType, permission) && anyPermits(this.grant.allowed, context, resourceType, permission);
    if (this.grant.system) return granted('system') ? 'role' : undefined;
    if (granted('user')) return 'role';
    return granted('patient') ? 'patient' : undefined;
  }
}
