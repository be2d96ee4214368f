import type { Bundle, Parameters, Patient, Provenance } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { medicalRecordNumberSystem } from '../fhir/medical-record-number.js';
import { useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

async function create<T extends { resourceType: string; id?: string }>(resource: T): Promise<T & { id: string }> {
  const response = await env.server.fhir('POST', resource.resourceType, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const mrnOf = (patient: Patient) => patient.identifier?.find((i) => i.system === medicalRecordNumberSystem(env.server.practice.id))?.value;
const reference = (r: { resourceType: string; id?: string }) => ({ reference: `${r.resourceType}/${r.id}` });

describe('medical record numbers', () => {
  it('are assigned to every new patient, however it arrives, and are searchable', async () => {
    const single = await create({ resourceType: 'Patient', name: [{ family: 'Quill', given: ['Ada'] }] } as Patient);
    const bundle = await env.server.fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [1, 2].map((n) => ({ resource: { resourceType: 'Patient', name: [{ family: `Bundled${n}` }] }, request: { method: 'POST', url: 'Patient' } })),
    });
    expect(bundle.status).toBe(200);
    const fromBundle = await Promise.all((bundle.body as Bundle).entry!.map(async (e) => (await env.server.fhir('GET', e.response!.location!.split('/_history')[0]!.split('/R4/')[1]!)).body as Patient));
    const numbers = [single, ...fromBundle].map(mrnOf);
    expect(numbers.every((n) => /^\d{6,}$/.test(n ?? ''))).toBe(true);
    expect(new Set(numbers).size).toBe(3);
    expect(single.identifier![0]).toMatchObject({ use: 'usual', type: { coding: [{ code: 'MR' }] } });

    const found = await env.server.fhir('GET', `Patient?identifier=${numbers[0]}`);
    expect(found.body.entry.map((e: { resource: Patient }) => e.resource.id)).toEqual([single.id]);
    // Updating keeps the number; a client that sends its own is kept as it sent it.
    const updated = await env.server.fhir('PUT', `Patient/${single.id}`, { ...single, gender: 'female' });
    expect(mrnOf(updated.body)).toBe(numbers[0]);
  });

  it('a Coverage without a payer is refused and nothing is written', async () => {
    const patient = await create({ resourceType: 'Patient', name: [{ family: 'Payerless' }] } as Patient);
    const before = (await env.server.fhir('GET', 'Coverage?_summary=count')).body.total;
    const response = await env.server.fhir('POST', 'Coverage', { resourceType: 'Coverage', status: 'active', beneficiary: reference(patient) });
    expect(response.status).toBe(400);
    expect(response.body.issue[0].expression).toEqual(['Coverage.payor']);
    expect((await env.server.fhir('GET', 'Coverage?_summary=count')).body.total).toBe(before);
  });
});

describe('Patient/$match', () => {
  it('finds a likely duplicate by a name that sounds alike, a nickname, the birth date and phone, and grades it', async () => {
    const existing = await create({
      resourceType: 'Patient',
      name: [{ family: 'Schmidt', given: ['Katherine'] }],
      gender: 'female',
      birthDate: '1984-06-12',
      telecom: [{ system: 'phone', value: '555-010-7788' }],
    } as Patient);
    await create({ resourceType: 'Patient', name: [{ family: 'Schmidt', given: ['Otto'] }], gender: 'male', birthDate: '1950-01-01' } as Patient);
    const response = await env.server.fhir('POST', 'Patient/$match', {
      resourceType: 'Parameters',
      parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Smith', given: ['Kathy'] }], gender: 'female', birthDate: '1984-06-12', telecom: [{ system: 'phone', value: '555-010-7788' }] } }],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const [first, ...rest] = (response.body as Bundle).entry!;
    expect(first!.resource!.id).toBe(existing.id);
    expect(first!.search!.extension![0]).toEqual({ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'probable' });
    expect(first!.search!.extension!.slice(1).map((e) => e.valueString)).toEqual(['family names sound alike', 'given names are a name and its nickname', 'same birth date', 'same phone number']);
    expect(rest.map((e) => e.resource!.id)).not.toContain(undefined);
    expect(rest.every((e) => e.search!.score! <= first!.search!.score!)).toBe(true);

    const phonetic = await env.server.fhir('GET', 'Patient?phonetic=Smith');
    expect(phonetic.body.entry.map((e: { resource: Patient }) => e.resource.id)).toContain(existing.id);
  });

  it('returns nothing for a stranger, refuses a body without a patient, and is not for patients', async () => {
    const stranger = await env.server.fhir('POST', 'Patient/$match', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Xylophanes', given: ['Zed'] }], birthDate: '2001-01-01' } }] });
    expect(stranger.body.entry ?? []).toHaveLength(0);
    expect((await env.server.fhir('POST', 'Patient/$match', { resourceType: 'Parameters', parameter: [] })).status).toBe(400);
    const self = await create({ resourceType: 'Patient', name: [{ family: 'Portal' }] } as Patient);
    const patient = await env.server.signInAs('patient', { fhirUser: `Patient/${self.id}` });
    expect((await patient.fhir('POST', 'Patient/$match', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Portal' }] } }] })).status).toBe(403);
  });
});

describe('Patient/$merge and $unmerge', () => {
  it('moves every reference to the survivor, keeps the duplicate as replaced-by, and can be undone exactly', async () => {
    const survivor = await create({ resourceType: 'Patient', name: [{ family: 'Merge', given: ['Stay'] }], birthDate: '1960-01-01' } as Patient);
    const duplicate = await create({ resourceType: 'Patient', name: [{ family: 'Merge', given: ['Dup'] }], birthDate: '1960-01-01' } as Patient);
    const observation = await create({ resourceType: 'Observation', status: 'final', code: { text: 'Weight' }, subject: reference(duplicate), performer: [reference(survivor)] });
    const condition = await create({ resourceType: 'Condition', subject: reference(duplicate), code: { text: 'Asthma' } });
    const appointment = await create({ resourceType: 'Appointment', status: 'proposed', participant: [{ actor: reference(duplicate), status: 'accepted' }] });
    const untouched = await create({ resourceType: 'Observation', status: 'final', code: { text: 'Height' }, subject: reference(survivor) });

    const merged = await env.server.fhir('POST', 'Patient/$merge', {
      resourceType: 'Parameters',
      parameter: [{ name: 'source-patient', valueReference: reference(duplicate) }, { name: 'target-patient', valueReference: reference(survivor) }],
    });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const out = (merged.body as Parameters).parameter!;
    const moved = out.filter((p) => p.name === 'moved').map((p) => p.valueReference!.reference).sort();
    expect(moved).toEqual([`Appointment/${appointment.id}`, `Condition/${condition.id}`, `Observation/${observation.id}`].sort());

    const read = async <T>(path: string): Promise<T> => (await env.server.fhir('GET', path)).body as T;
    expect((await read<{ subject: { reference: string } }>(`Observation/${observation.id}`)).subject.reference).toBe(`Patient/${survivor.id}`);
    expect((await read<{ subject: { reference: string } }>(`Condition/${condition.id}`)).subject.reference).toBe(`Patient/${survivor.id}`);
    const retired = await read<Patient>(`Patient/${duplicate.id}`);
    expect(retired).toMatchObject({ active: false, link: [{ other: { reference: `Patient/${survivor.id}` }, type: 'replaced-by' }] });
    const kept = await read<Patient>(`Patient/${survivor.id}`);
    expect(kept.link).toEqual([{ other: { reference: `Patient/${duplicate.id}` }, type: 'replaces' }]);
    // The duplicate's MRN still finds the patient.
    expect(kept.identifier).toContainEqual(expect.objectContaining({ value: mrnOf(duplicate), use: 'old' }));
    const everything = await env.server.fhir('GET', `Patient/${survivor.id}/Observation`);
    expect(everything.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual([observation.id, untouched.id].sort());
    // Audited: the writes of the merge name both patients.
    const audit = await env.server.fhir('GET', `AuditEvent?patient=${survivor.id}&_count=100`);
    expect(audit.body.entry.some((e: { resource: { action: string; entity?: { what?: { reference?: string } }[] } }) => e.resource.action === 'U' && e.resource.entity?.[0]?.what?.reference === `Observation/${observation.id}`)).toBe(true);

    const again = await env.server.fhir('POST', 'Patient/$merge', { resourceType: 'Parameters', parameter: [{ name: 'source-patient', valueReference: reference(duplicate) }, { name: 'target-patient', valueReference: reference(survivor) }] });
    expect(again.status).toBe(409);

    // Someone edits a moved resource after the merge: the undo keeps the edit.
    const edited = await read<Record<string, unknown>>(`Observation/${observation.id}`);
    expect((await env.server.fhir('PUT', `Observation/${observation.id}`, { ...edited, valueString: 'corrected' })).status).toBe(200);

    const provenance = out.find((p) => p.name === 'provenance')!.resource as Provenance;
    const undone = await env.server.fhir('POST', 'Patient/$unmerge', { resourceType: 'Parameters', parameter: [{ name: 'provenance', valueReference: { reference: `Provenance/${provenance.id}` } }] });
    expect(undone.status, JSON.stringify(undone.body)).toBe(200);
    const restoredObservation = await read<{ subject: { reference: string }; performer: { reference: string }[]; valueString: string }>(`Observation/${observation.id}`);
    expect(restoredObservation).toMatchObject({ subject: { reference: `Patient/${duplicate.id}` }, performer: [{ reference: `Patient/${survivor.id}` }], valueString: 'corrected' });
    expect((await read<{ subject: { reference: string } }>(`Condition/${condition.id}`)).subject.reference).toBe(`Patient/${duplicate.id}`);
    const back = await read<Patient>(`Patient/${duplicate.id}`);
    expect(back.active).toBeUndefined();
    expect(back.link).toBeUndefined();
    const survivorAfter = await read<Patient>(`Patient/${survivor.id}`);
    expect(survivorAfter.link).toBeUndefined();
    expect(survivorAfter.identifier!.map((i) => i.value)).toEqual([mrnOf(survivor)]);
    const twice = await env.server.fhir('POST', 'Patient/$unmerge', { resourceType: 'Parameters', parameter: [{ name: 'provenance', valueReference: { reference: `Provenance/${provenance.id}` } }] });
    expect(twice.status).toBe(409);
  });

  it('refuses a merge the caller may not make in full, and a merge into itself, writing nothing', async () => {
    const survivor = await create({ resourceType: 'Patient', name: [{ family: 'Desk' }] } as Patient);
    const duplicate = await create({ resourceType: 'Patient', name: [{ family: 'Desk' }] } as Patient);
    const observation = await create({ resourceType: 'Observation', status: 'final', code: { text: 'Pulse' }, subject: reference(duplicate) });
    const frontDesk = await env.server.signInAs('front-desk');
    const body = { resourceType: 'Parameters', parameter: [{ name: 'source-patient', valueReference: reference(duplicate) }, { name: 'target-patient', valueReference: reference(survivor) }] };
    expect((await frontDesk.fhir('POST', 'Patient/$merge', body)).status).toBe(403);
    expect(((await env.server.fhir('GET', `Observation/${observation.id}`)).body as { subject: { reference: string } }).subject.reference).toBe(`Patient/${duplicate.id}`);
    const self = await env.server.fhir('POST', 'Patient/$merge', { resourceType: 'Parameters', parameter: [{ name: 'source-patient', valueReference: reference(survivor) }, { name: 'target-patient', valueReference: reference(survivor) }] });
    expect(self.status).toBe(400);
  });
});
