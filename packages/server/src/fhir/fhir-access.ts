import type { Resource } from '@medplum/fhirtypes';
import type { RepositoryTransaction } from './repository.js';
import type { StoredMatch } from './search/execute-search.js';
import type { CompartmentScope } from './search/search-sql.js';

export type FhirInteraction = 'read' | 'search' | 'history' | 'create' | 'update' | 'delete';

/**
 * What the caller may do, asked by the FHIR router at every step (REST calls and each Bundle
 * entry alike). The router knows nothing about roles; identity implements this.
 */
export interface FhirAccess {
  /** Throws a 403 FhirError unless the interaction on the type is granted. */
  require(resourceType: string, interaction: FhirInteraction): void;
  /**
   * The statuses a resource of the type may have, before and after, to be written by plain REST
   * rather than through its operations; undefined when plain writes are not so limited.
   */
  directWriteStatuses(resourceType: string, interaction: 'create' | 'update' | 'delete'): readonly string[] | undefined;
  /** A compartment every search of this type must stay within, if access is so restricted. */
  searchScope(resourceType: string): CompartmentScope | undefined;
  /** Whether one existing resource is within reach (false for one that does not exist). */
  canReach(tx: RepositoryTransaction, resourceType: string, id: string, interaction: FhirInteraction): Promise<boolean>;
  /** Whether a resource about to be written stays within reach. */
  canWrite(tx: RepositoryTransaction, resource: Resource, interaction: 'create' | 'update'): boolean;
  /** The subset of included resources the caller may read. */
  visible(tx: RepositoryTransaction, matches: StoredMatch[]): Promise<StoredMatch[]>;
}

/** System access: migrations, imports run from the command line, background jobs. */
export const SYSTEM_ACCESS: FhirAccess = {
  require: () => undefined,
  directWriteStatuses: () => undefined,
  searchScope: () => undefined,
  canReach: async () => true,
  canWrite: () => true,
  visible: async (_tx, matches) => matches,
};
