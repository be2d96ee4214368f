import { badRequest, forbidden, parseSearchRequest } from '@unichart/fhir';
import type { Bundle, BundleEntry, Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import { currentAuditContext } from '../audit/audit-context.js';
import type { FhirAccess } from '../fhir/fhir-access.js';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { FhirOperation } from '../fhir/router.js';
import { parametersOf } from '../fhir/operation-inputs.js';
import { scoreMatch } from './patient-match.js';
import { mergePatients, unmergePatients, type ProvenanceAgent } from './patient-merge.js';

const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const DEFAULT_MATCHES = 10;
/** Candidates fetched per criterion before scoring. */
const PER_CRITERION = 50;

/**
 * Registration workflows as FHIR operations:
 * - `POST Patient/$match` (Parameters `resource`, `onlyCertainMatches`, `count`): likely duplicates, scored and graded.
 * - `POST Patient/$merge` (`source-patient`, `target-patient`): moves the duplicate's record to the survivor.
 * - `POST Patient/$unmerge` (`provenance`: the merge's Provenance): undoes it.
 */
export function registrationOperations(): FhirOperation[] {
  const match: FhirOperation = {
    resourceType: 'Patient',
    name: 'match',
    level: 'type',
    methods: ['POST'],
    async invoke(ctx, req) {
      requireWholeRegister(ctx.access, 'search');
      const parameters = parametersOf(req.body);
      const input = parameters.find((p) => p.name === 'resource')?.resource as Patient | undefined;
      if (input?.resourceType !== 'Patient') throw badRequest('Send the patient to match as the "resource" parameter (a Patient)', 'resource');
      const onlyCertain = parameters.find((p) => p.name === 'onlyCertainMatches')?.valueBoolean ?? false;
      const count = parameters.find((p) => p.name === 'count')?.valueInteger ?? DEFAULT_MATCHES;
      if (!Number.isInteger(count) || count < 1 || count > 100) throw badRequest('count must be a whole number from 1 to 100', 'count');

      const candidates = await findCandidates(ctx.tx, input);
      const scored = candidates
        .filter((c) => c.id !== input.id && c.active !== false)
        .map((candidate) => ({ candidate, result: scoreMatch(input, candidate) }))
        .filter(({ result }) => result.grade && (!onlyCertain || result.grade === 'certain'))
        .sort((a, b) => b.result.score - a.result.score)
        .slice(0, count);
      await ctx.auditRead?.(ctx.tx, { kind: 'search', query: 'Patient/$match', touched: scored.map(({ candidate }) => ({ resourceType: 'Patient', id: candidate.id! })) });
      const entry: BundleEntry[] = scored.map(({ candidate, result }) => ({
        fullUrl: `${ctx.baseUrl}/Patient/${candidate.id}`,
        resource: candidate,
        search: {
          mode: 'match',
          score: result.score,
          extension: [
            { url: MATCH_GRADE_URL, valueCode: result.grade },
            ...result.reasons.map((reason) => ({ url: 'https://unichart.dev/fhir/StructureDefinition/match-reason', valueString: reason })),
          ],
        },
      }));
      return { status: 200, body: { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry } satisfies Bundle };
    },
  };

  const merge: FhirOperation = {
    resourceType: 'Patient',
    name: 'merge',
    level: 'type',
    methods: ['POST'],
    async invoke(ctx, req) {
      requireWholeRegister(ctx.access, 'update');
      const parameters = parametersOf(req.body);
      const duplicate = patientId(parameters, 'source-patient');
      const survivor = patientId(parameters, 'target-patient');
      // Moving a resource is updating it: the caller must be allowed to update every type moved.
      for (const type of new Set((await ctx.tx.referencing('Patient', duplicate)).map((r) => r.resourceType))) ctx.access.require(type, 'update');
      const result = await mergePatients(ctx.tx, duplicate, survivor, agent());
      const body: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'result', resource: result.survivor },
          { name: 'source', resource: result.duplicate },
          { name: 'provenance', resource: result.provenance },
          ...result.moved.map((reference) => ({ name: 'moved', valueReference: { reference } })),
        ],
      };
      return { status: 200, body };
    },
  };

  const unmerge: FhirOperation = {
    resourceType: 'Patient',
    name: 'unmerge',
    level: 'type',
    methods: ['POST'],
    async invoke(ctx, req) {
      requireWholeRegister(ctx.access, 'update');
      const reference = parametersOf(req.body).find((p) => p.name === 'provenance')?.valueReference?.reference ?? '';
      const provenance = /^Provenance\/([A-Za-z0-9\-.]{1,64})$/.exec(reference)?.[1];
      if (!provenance) throw badRequest('Name the merge to undo: "provenance" as a reference to its Provenance', 'provenance');
      const result = await unmergePatients(ctx.tx, provenance, agent());
      const body: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'restored', resource: result.restored },
          { name: 'result', resource: result.survivor },
          { name: 'provenance', resource: result.provenance },
        ],
      };
      return { status: 200, body };
    },
  };

  return [match, merge, unmerge];
}

/** Matching and merging range over every patient of the practice: not for compartment-bound callers. */
function requireWholeRegister(access: FhirAccess, interaction: 'search' | 'update'): void {
  access.require('Patient', interaction);
  if (access.searchScope('Patient')) throw forbidden('Matching and merging patient records is for practice staff');
}

/**
 * Patients who share a birth date, a name that sounds the same, a phone number or an
 * identifier: each an indexed search, so the check stays fast however large the register.
 */
async function findCandidates(tx: RepositoryTransaction, input: Patient): Promise<Patient[]> {
  const queries: Record<string, string>[] = [];
  if (input.birthDate) queries.push({ birthdate: input.birthDate });
  for (const name of input.name ?? []) {
    if (name.family) queries.push({ phonetic: name.family, ...(name.given?.[0] ? { given: name.given[0].slice(0, 1) } : {}) });
  }
  for (const telecom of input.telecom ?? []) {
    if ((telecom.system === 'phone' || telecom.system === 'email') && telecom.value) queries.push({ telecom: telecom.value });
  }
  for (const identifier of input.identifier ?? []) {
    if (identifier.value) queries.push({ identifier: identifier.system ? `${identifier.system}|${identifier.value}` : identifier.value });
  }
  const found = new Map<string, Patient>();
  for (const query of queries) {
    const result = await tx.search(parseSearchRequest('Patient', new URLSearchParams({ ...query, _count: String(PER_CRITERION) })));
    for (const match of result.matches) if (!found.has(match.id)) found.set(match.id, JSON.parse(match.content) as Patient);
  }
  return [...found.values()];
}

function agent(): ProvenanceAgent {
  const { agent: who } = currentAuditContext();
  return who.who ? { reference: who.who, display: who.name } : { display: who.name };
}

function patientId(parameters: readonly ParametersParameter[], name: string): string {
  const reference = parameters.find((p) => p.name === name)?.valueReference?.reference ?? '';
  const id = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference)?.[1];
  if (!id) throw badRequest(`${name} must be a reference to a Patient, such as Patient/123`, name);
  return id;
}
