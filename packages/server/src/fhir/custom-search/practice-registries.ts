import { parseSearchRequest, SearchParameterRegistry } from '@unichart/fhir';
import type { SearchParameter } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.js';
import { FhirRepository } from '../repository.js';

const MAX_CUSTOM_PARAMETERS = 1000;

/**
 * Each practice searches with the spec's parameters plus its own SearchParameter resources.
 * The combined registry is cached per practice and dropped when one of them is written.
 */
export class PracticeRegistries {
  private readonly cache = new Map<string, Promise<SearchParameterRegistry>>();

  constructor(private readonly db: Database) {}

  registryFor(tenantId: string): Promise<SearchParameterRegistry> {
    let registry = this.cache.get(tenantId);
    if (!registry) {
      registry = this.load(tenantId);
      registry.catch(() => this.cache.delete(tenantId));
      this.cache.set(tenantId, registry);
    }
    return registry;
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private async load(tenantId: string): Promise<SearchParameterRegistry> {
    const spec = SearchParameterRegistry.spec();
    const repo = new FhirRepository(this.db, tenantId, spec);
    const request = parseSearchRequest('SearchParameter', new URLSearchParams({ status: 'active,draft', _count: String(MAX_CUSTOM_PARAMETERS) }));
    const result = await repo.reader().search(request);
    const custom = result.matches.map((m) => JSON.parse(m.content) as SearchParameter);
    return spec.withCustom(custom);
  }
}
