import { resourceTypes, type SearchParameterRegistry } from '@unichart/fhir';
import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestSecurity } from '@medplum/fhirtypes';

const INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;
const MODIFIERS: Record<string, string> = {
  string: ':exact :contains :missing',
  token: ':text :not :missing',
  reference: ':[type] :identifier :missing, chained (3 links) and _has',
  uri: ':below :above :contains :missing',
  date: 'prefixes eq ne lt gt le ge sa eb ap; :missing',
  number: 'prefixes eq ne lt gt le ge sa eb ap; :missing',
  quantity: 'prefixes eq ne lt gt le ge sa eb ap; :missing',
  composite: 'token$value pairs',
};

/** What this server actually supports, derived from the same registry the search engine uses. */
export function buildCapabilityStatement(registry: SearchParameterRegistry, baseUrl: string, version: string, security?: CapabilityStatementRestSecurity): CapabilityStatement {
  const resources: CapabilityStatementRestResource[] = [...resourceTypes()].sort().map((type) => {
    const params = [...registry.forType(type).values()].filter((p) => p.type !== 'special');
    return {
      type: type as CapabilityStatementRestResource['type'],
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'not-match',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      searchInclude: params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`),
      searchRevInclude: [...resourceTypes()].flatMap((source) =>
        [...registry.forType(source).values()].filter((p) => p.type === 'reference' && (p.targets.length === 0 || p.targets.includes(type))).map((p) => `${source}:${p.code}`),
      ),
      searchParam: params.map((p) => ({ name: p.code, definition: p.url, type: p.type as 'string', documentation: MODIFIERS[p.type] })),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Unichart', version },
    implementation: { description: 'Unichart FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        ...(security ? { security } : {}),
        resource: resources,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        searchParam: [
          { name: '_id', type: 'token' },
          { name: '_lastUpdated', type: 'date' },
          { name: '_count', type: 'number' },
          { name: '_sort', type: 'string' },
          { name: '_total', type: 'token' },
          { name: '_summary', type: 'token' },
          { name: '_elements', type: 'string' },
        ],
      },
    ],
  };
}
