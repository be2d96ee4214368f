import { badRequest, forbidden } from '@unichart/fhir';
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { FhirAccess, FhirInteraction } from './fhir-access.js';
import type { RepositoryTransaction } from './repository.js';

/** An operation's inputs: a Parameters body (none at all reads as no inputs). */
export function parametersOf(body: unknown): ParametersParameter[] {
  if (body === undefined) return [];
  const resource = body as Parameters;
  if (resource?.resourceType !== 'Parameters') throw badRequest("Send the operation's inputs as a Parameters resource");
  return resource.parameter ?? [];
}

/** A text-like input, whichever of the usual value types it came as. */
export function textInput(parameters: readonly ParametersParameter[], name: string): string | undefined {
  const p = parameters.find((x) => x.name === name);
  return p?.valueString ?? p?.valueDateTime ?? p?.valueInstant ?? p?.valueCode ?? p?.valueCodeableConcept?.text;
}

/** A resource the operation works on, if the caller may reach it for the interaction (403 alike for missing ones). */
export async function readReachable<T>(tx: RepositoryTransaction, access: FhirAccess, type: string, id: string, interaction: FhirInteraction): Promise<T> {
  if (!(await access.canReach(tx, type, id, interaction))) throw forbidden(`You do not have access to ${type}/${id}`);
  return JSON.parse((await tx.read(type, id)).content!) as T;
}
