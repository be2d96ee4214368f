import { beforeAll, describe, expect, it } from 'vitest';
import type { FhirCall } from '../test-support/test-database.js';
import { useTestServer } from '../test-support/test-database.js';

const env = useTestServer();
const ids: Record<string, string> = {};
let outside: FhirCall;
let partner: FhirCall;
let unlinked: FhirCall;

const create = async (resource: Record<string, unknown>): Promise<string> => {
  const response = await env.server.fhir('POST', resource.resourceType as string, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id;
};
const day = 24 * 60 * 60 * 1000;
/** A share: the practice's Consent permitting an outside actor to see a patient's record (or some of it) for a time. */
const consent = (patient: string, actor: string, options: { types?: string[]; end?: Date; status?: string } = {}) => ({
  resourceType: 'Consent',
  status: options.status ?? 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: `Patient/${patient}` },
  policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
  provision: {
    type: 'permit',
    period: { start: new Date(Date.now() - day).toISOString(), end: (options.end ?? new Date(Date.now() + 30 * day)).toISOString() },
    actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: actor } }],
    ...(options.types ? { class: options.types.map((code) => ({ system: 'http://hl7.org/fhir/resource-types', code })) } : {}),
  },
});
const observation = (patient: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${patient}` } });
const condition = (patient: string) => ({ resourceType: 'Condition', code: { text: 'asthma' }, subject: { reference: `Patient/${patient}` } });
const idsOf = (bundle: { entry?: { resource: { id: string } }[] }) => (bundle.entry ?? []).map((e) => e.resource.id).sort();

beforeAll(async () => {
  ids.cardiologist = await create({ resourceType: 'Practitioner', name: [{ family: 'Outside' }] });
  ids.partnerDoctor = await create({ resourceType: 'Practitioner', name: [{ family: 'Partner' }] });
  ids.partnerClinic = await create({ resourceType: 'Organization', name: 'Partner Clinic' });
  await create({ resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${ids.partnerDoctor}` }, organization: { reference: `Organization/${ids.partnerClinic}` } });
  for (const name of ['referred', 'expired', 'revoked', 'clinicShared', 'private']) {
    ids[name] = await create({ resourceType: 'Patient', name: [{ family: name }] });
    ids[`${name}Observation`] = await create(observation(ids[name]!));
    ids[`${name}Condition`] = await create(condition(ids[name]!));
  }
  // Observations of one patient to the cardiologist; a share that ran out; one withdrawn; a whole record to the partner clinic.
  await create(consent(ids.referred!, `Practitioner/${ids.cardiologist}`, { types: ['Observation'] }));
  await create(consent(ids.expired!, `Practitioner/${ids.cardiologist}`, { end: new Date(Date.now() - 60_000) }));
  await create(consent(ids.revoked!, `Practitioner/${ids.cardiologist}`, { status: 'inactive' }));
  await create(consent(ids.clinicShared!, `Organization/${ids.partnerClinic}`));
  outside = (await env.server.signInAs('outside-provider', { fhirUser: `Practitioner/${ids.cardiologist}` })).fhir;
  partner = (await env.server.signInAs('outside-provider', { fhirUser: `Practitioner/${ids.partnerDoctor}` })).fhir;
  unlinked = (await env.server.signInAs('outside-provider')).fhir;
});

describe('outside providers see only what was shared with them', () => {
  it('reads the shared types of a shared patient, until the share ends', async () => {
    expect((await outside('GET', `Patient/${ids.referred}`)).status).toBe(200);
    expect((await outside('GET', `Observation/${ids.referredObservation}`)).status).toBe(200);
    // Only observations were shared.
    expect((await outside('GET', `Condition/${ids.referredCondition}`)).status).toBe(403);
    for (const name of ['expired', 'revoked', 'private']) {
      expect((await outside('GET', `Patient/${ids[name]}`)).status, name).toBe(403);
      expect((await outside('GET', `Observation/${ids[`${name}Observation`]}`)).status, name).toBe(403);
    }
  });

  it('finds nothing else by search, include, compartment or history', async () => {
    expect(idsOf((await outside('GET', 'Patient')).body)).toEqual([ids.referred]);
    expect(idsOf((await outside('GET', 'Observation')).body)).toEqual([ids.referredObservation]);
    expect((await outside('GET', 'Condition?_total=accurate')).body.total).toBe(0);
    const included = await outside('GET', `Observation?_include=Observation:subject`);
    expect(idsOf(included.body)).toEqual([ids.referredObservation, ids.referred].sort());
    expect((await outside('GET', `Patient/${ids.private}/Observation`)).status).toBe(403);
    expect((await outside('GET', `Observation/${ids.privateObservation}/_history`)).status).toBe(403);
    expect((await outside('GET', '_history')).status).toBe(403);
  });

  it('reaches a record shared with the organization they work for', async () => {
    expect((await partner('GET', `Condition/${ids.clinicSharedCondition}`)).status).toBe(200);
    expect(idsOf((await partner('GET', 'Patient')).body)).toEqual([ids.clinicShared]);
    expect((await partner('GET', `Patient/${ids.referred}`)).status).toBe(403);
    // An account not linked to a Practitioner has nothing shared with it.
    expect((await unlinked('GET', 'Patient')).body.entry).toBeUndefined();
  });

  it('writes nothing, and is denied billing and messages outright, each denial audited', async () => {
    expect((await outside('POST', 'Observation', observation(ids.referred!))).status).toBe(403);
    expect((await outside('GET', 'Claim')).status).toBe(403);
    expect((await outside('GET', 'Consent')).status).toBe(403);
    expect((await outside('GET', `Practitioner/${ids.partnerDoctor}`)).status).toBe(200);
    const denials = await env.db.query(env.server.practice.id, "SELECT 1 FROM audit_event WHERE tenant_id = $1 AND type = 'access-denied'", [env.server.practice.id]);
    expect(denials.length).toBeGreaterThanOrEqual(4);
  });
});
