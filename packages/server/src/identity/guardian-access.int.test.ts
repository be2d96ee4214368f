import type { RelatedPerson } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer, type FhirCall } from '../test-support/test-database.js';
import { dependantOf } from './policy-access.js';

const env = useTestServer();
const ids: Record<string, string> = {};
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

async function create(resource: { resourceType: string } & Record<string, unknown>): Promise<string> {
  const response = await env.server.fhir('POST', resource.resourceType, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

const relatedPerson = (patient: string, code?: string, extra: Partial<RelatedPerson> = {}): RelatedPerson => ({
  resourceType: 'RelatedPerson',
  patient: { reference: `Patient/${patient}` },
  name: [{ family: 'Okoro', given: ['Ada'] }],
  ...(code ? { relationship: [{ coding: [{ system: ROLE_CODE, code }] }] } : {}),
  ...extra,
});

/** A portal account (role patient) that is the RelatedPerson. */
async function portalAccountOf(relatedPersonId: string): Promise<FhirCall> {
  return (await env.server.signInAs('patient', { fhirUser: `RelatedPerson/${relatedPersonId}` })).fhir;
}

beforeAll(async () => {
  ids.child = await create({ resourceType: 'Patient', name: [{ family: 'Okoro', given: ['Chidi'] }], birthDate: '2018-06-01' });
  ids.stranger = await create({ resourceType: 'Patient', name: [{ family: 'Stranger' }] });
  ids.childResult = await create({ resourceType: 'Observation', status: 'final', code: { text: 'Height' }, subject: { reference: `Patient/${ids.child}` }, valueQuantity: { value: 112, unit: 'cm' } });
  ids.strangerResult = await create({ resourceType: 'Observation', status: 'final', code: { text: 'Height' }, subject: { reference: `Patient/${ids.stranger}` } });
});

describe("a guardian sees a dependant's record only where the relationship is recorded", () => {
  it("a mother (relationship MTH) reads her child's record, and only her child's", async () => {
    const mother = await portalAccountOf(await create({ ...relatedPerson(ids.child!, 'MTH') }));
    expect((await mother('GET', `Patient/${ids.child}`)).status).toBe(200);
    expect((await mother('GET', `Observation/${ids.childResult}`)).status).toBe(200);
    const search = await mother('GET', 'Observation');
    expect(search.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([ids.childResult]);
    expect((await mother('GET', `Patient/${ids.stranger}`)).status).toBe(403);
    expect((await mother('GET', `Observation/${ids.strangerResult}`)).status).toBe(403);
    const everything = await mother('GET', `Patient/${ids.child}/$everything`);
    expect(everything.status).toBe(200);
    // She may write to the practice about the child, as the child's own account could.
    const message = await mother('POST', 'Communication', { resourceType: 'Communication', status: 'completed', subject: { reference: `Patient/${ids.child}` }, payload: [{ contentString: 'Chidi has a fever' }] });
    expect(message.status).toBe(201);
  });

  it('a friend on file, or a relation without a recorded relationship, sees nothing', async () => {
    for (const code of ['FRND', undefined]) {
      const other = await portalAccountOf(await create({ ...relatedPerson(ids.child!, code) }));
      expect((await other('GET', `Patient/${ids.child}`)).status, String(code)).toBe(403);
      expect((await other('GET', 'Observation')).body.entry ?? [], String(code)).toEqual([]);
    }
  });

  it('ends when the relationship is ended or made inactive, at the next request', async () => {
    const guardianId = await create({ ...relatedPerson(ids.child!, 'GUARD') });
    const guardian = await portalAccountOf(guardianId);
    expect((await guardian('GET', `Patient/${ids.child}`)).status).toBe(200);
    const current = (await env.server.fhir('GET', `RelatedPerson/${guardianId}`)).body;
    expect((await env.server.fhir('PUT', `RelatedPerson/${guardianId}`, { ...current, period: { start: '2020-01-01', end: '2021-01-01' } })).status).toBe(200);
    expect((await guardian('GET', `Patient/${ids.child}`)).status).toBe(403);
    expect((await env.server.fhir('PUT', `RelatedPerson/${guardianId}`, { ...current, active: false })).status).toBe(200);
    expect((await guardian('GET', `Patient/${ids.child}`)).status).toBe(403);
  });
});

describe('dependantOf', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  it('reads the patient from an active guardian relationship within its dates', () => {
    expect(dependantOf(relatedPerson('c1', 'GUARD'), now)).toBe('c1');
    expect(dependantOf(relatedPerson('c1', 'HPOWATT', { period: { start: '2026-01-01' } }), now)).toBe('c1');
    expect(dependantOf(relatedPerson('c1', 'GUARD', { period: { start: '2027-01-01' } }), now)).toBeUndefined();
    expect(dependantOf(relatedPerson('c1', 'SPS'), now)).toBeUndefined();
  });
});
