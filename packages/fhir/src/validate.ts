import { validateResource as validateAgainstProfile, OperationOutcomeError } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import { isResourceType, loadDefinitions } from './definitions.js';
import { FhirError, badRequest } from './outcome.js';
import { searchParameterProblem } from './search-parameters.js';
import { checkBindingsAndReferences } from './validate-elements.js';

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** A product rule on one resource type beyond the spec (a schedule's template must parse); throws a FhirError. */
export type ResourceRule = (resource: Resource) => void;
const productRules = new Map<string, Set<ResourceRule>>();

/** Adds a rule every write of the type must pass, in this process. */
export function addResourceRule(resourceType: string, rule: ResourceRule): void {
  productRules.set(resourceType, (productRules.get(resourceType) ?? new Set()).add(rule));
}

/**
 * Checks a resource against its R4 StructureDefinition (cardinality, data types, fixed values,
 * unknown elements) plus the id and meta rules. Throws a 400 FhirError naming the paths.
 */
export function validateResource(input: unknown): asserts input is Resource {
  loadDefinitions();
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw badRequest('Body must be a JSON object (a FHIR resource)');
  const resource = input as Record<string, unknown>;
  const type = resource.resourceType;
  if (typeof type !== 'string' || !type) throw badRequest('Missing resourceType', 'resourceType');
  if (!isResourceType(type)) throw badRequest(`Unknown resource type "${type}"`, 'resourceType');
  if (resource.id !== undefined && (typeof resource.id !== 'string' || !ID_PATTERN.test(resource.id))) {
    throw badRequest('id must be 1-64 letters, digits, "-" or "."', `${type}.id`);
  }
  if (resource.meta !== undefined && (typeof resource.meta !== 'object' || resource.meta === null || Array.isArray(resource.meta))) {
    throw badRequest('meta must be an object', `${type}.meta`);
  }
  try {
    validateAgainstProfile(resource as unknown as Resource);
  } catch (error) {
    if (error instanceof OperationOutcomeError) throw FhirError.fromOutcome(400, error.outcome);
    throw error;
  }
  checkBindingsAndReferences(resource);
  for (const rule of productRules.get(type) ?? []) rule(resource as unknown as Resource);
  if (type === 'SearchParameter' && resource.status !== 'retired') {
    const problem = searchParameterProblem(resource as unknown as SearchParameter);
    if (problem) throw badRequest(problem.message, problem.path);
  }
}
