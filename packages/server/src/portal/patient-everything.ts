import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { forbidden, MAX_PAGE_SIZE, patientCompartmentParams } from '@unichart/fhir';
import type { FhirAccess } from '../fhir/fhir-access.js';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { FhirOperation } from '../fhir/router.js';
import type { StoredMatch } from '../fhir/search/execute-search.js';

/**
 * `GET Patient/{id}/$everything`: the patient's whole record as one searchset Bundle, the
 * Patient first (FHIR R4 Patient-everything). It is what "download my record" gives a patient
 * and what a clinician exports. Access is the caller's own: the Patient must be within reach,
 * and only resource types the role may read come back (a patient never gets the audit trail
 * this way). The export is one audited read naming every resource it returned.
 */
export function patientEverythingOperation(): FhirOperation {
  return {
    resourceType: 'Patient',
    name: 'everything',
    level: 'instance',
    methods: ['GET'],
    async invoke(ctx, _req, id) {
      const patientId = id!;
      ctx.access.require('Patient', 'read');
      if (!(await ctx.access.canReach(ctx.tx, 'Patient', patientId, 'read'))) throw forbidden(`You do not have access to Patient/${patientId}`);
      const patient = await ctx.tx.read('Patient', patientId);
      const record = await compartmentOf(ctx.tx, ctx.access, patientId);
      const entries: StoredMatch[] = [{ resourceType: 'Patient', id: patientId, content: patient.content! }, ...record];
      await ctx.auditRead?.(ctx.tx, { kind: 'read', entity: `Patient/${patientId}`, query: `Patient/${patientId}/$everything`, touched: entries });
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        timestamp: new Date().toISOString(),
        total: entries.length,
        link: [{ relation: 'self', url: ctx.selfUrl }],
        entry: entries.map((match): BundleEntry => ({ fullUrl: `${ctx.baseUrl}/${match.resourceType}/${match.id}`, resource: JSON.parse(match.content), search: { mode: 'match' } })),
      };
      return { status: 200, body: bundle };
    },
  };
}

/**
 * Every current resource in the Patient compartment (linked through one of the compartment's
 * search parameters, not merely mentioning the patient), that the caller may read.
 */
async function compartmentOf(tx: RepositoryTransaction, access: FhirAccess, patientId: string): Promise<StoredMatch[]> {
  const byType = new Map<string, string[]>();
  for (const ref of await tx.referencing('Patient', patientId)) {
    if (ref.resourceType === 'Patient' && ref.id === patientId) continue;
    if (patientCompartmentParams(ref.resourceType).length === 0) continue;
    byType.set(ref.resourceType, [...(byType.get(ref.resourceType) ?? []), ref.id]);
  }
  const found: StoredMatch[] = [];
  for (const [resourceType, ids] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    for (let start = 0; start < ids.length; start += MAX_PAGE_SIZE) {
      const chunk = ids.slice(start, start + MAX_PAGE_SIZE);
      const result = await tx.search(
        { resourceType, filters: [{ key: '_id', values: chunk }], count: chunk.length, offset: 0, sort: [], total: 'none', include: [], revinclude: [] },
        { type: 'Patient', id: patientId, params: patientCompartmentParams(resourceType) },
      );
      found.push(...result.matches);
    }
  }
  return access.visible(tx, found);
}
