import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { openTestDatabase, TEST_BASE } from '../../test-support/test-database.js';
import { expectBadRequest, idsOf, includedRefs, matchIds, practiceWith, searchBundle } from './search-test-support.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const LOINC = 'http://loinc.org';
const GLUCOSE = { coding: [{ system: LOINC, code: '2339-0', display: 'Glucose' }] };
const HEMOGLOBIN = { coding: [{ system: LOINC, code: '718-7', display: 'Hemoglobin' }] };

/**
 * One small practice:
 *   Parent Network ← partOf ← Acme Health (Dr House) ← Peter Parker ← obs-parker-glucose, enc-parker
 *   Other Clinic (Dr Wilson) ← Mary Jane ← obs-mary-hemoglobin, enc-mary
 *   Peter Quill (no organization) ← obs-quill-glucose
 */
const records = [
  { resourceType: 'Organization', id: 'org-parent', name: 'Parent Network' },
  { resourceType: 'Organization', id: 'org-acme', name: 'Acme Health', partOf: { reference: 'Organization/org-parent' } },
  { resourceType: 'Organization', id: 'org-other', name: 'Other Clinic' },
  { resourceType: 'Practitioner', id: 'dr-house', name: [{ family: 'House', given: ['Gregory'] }] },
  { resourceType: 'Practitioner', id: 'dr-wilson', name: [{ family: 'Wilson', given: ['James'] }] },
  {
    resourceType: 'Patient',
    id: 'peter-parker',
    name: [{ family: 'Parker', given: ['Peter'] }],
    identifier: [{ system: 'urn:mrn', value: 'MRN-1' }],
    managingOrganization: { reference: 'Organization/org-acme' },
    generalPractitioner: [{ reference: 'Practitioner/dr-house' }],
  },
  {
    resourceType: 'Patient',
    id: 'mary-jane',
    name: [{ family: 'Jane', given: ['Mary'] }],
    managingOrganization: { reference: 'Organization/org-other' },
    generalPractitioner: [{ reference: 'Practitioner/dr-wilson' }],
  },
  { resourceType: 'Patient', id: 'peter-quill', name: [{ family: 'Quill', given: ['Peter'] }] },
  { resourceType: 'Encounter', id: 'enc-parker', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/peter-parker' }, serviceProvider: { reference: 'Organization/org-acme' } },
  { resourceType: 'Encounter', id: 'enc-mary', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/mary-jane' }, serviceProvider: { reference: 'Organization/org-other' } },
  {
    resourceType: 'Observation',
    id: 'obs-parker-glucose',
    status: 'final',
    code: GLUCOSE,
    subject: { reference: 'Patient/peter-parker' },
    encounter: { reference: 'Encounter/enc-parker' },
    performer: [{ reference: 'Practitioner/dr-house' }],
  },
  { resourceType: 'Observation', id: 'obs-mary-hemoglobin', status: 'final', code: HEMOGLOBIN, subject: { reference: 'Patient/mary-jane' }, encounter: { reference: 'Encounter/enc-mary' } },
  { resourceType: 'Observation', id: 'obs-quill-glucose', status: 'final', code: GLUCOSE, subject: { reference: 'Patient/peter-quill' } },
  { resourceType: 'DiagnosticReport', id: 'report-final', status: 'final', code: { text: 'Panel' }, result: [{ reference: 'Observation/obs-parker-glucose' }] },
  { resourceType: 'DiagnosticReport', id: 'report-preliminary', status: 'preliminary', code: { text: 'Panel' }, result: [{ reference: 'Observation/obs-mary-hemoglobin' }] },
  { resourceType: 'MedicationRequest', id: 'rx-parker', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Metformin' }, subject: { reference: 'Patient/peter-parker' }, requester: { reference: 'Practitioner/dr-house' } },
  { resourceType: 'MedicationRequest', id: 'rx-mary', status: 'active', intent: 'order', medicationCodeableConcept: { text: 'Iron' }, subject: { reference: 'Patient/mary-jane' } },
];

describe('reference parameters', () => {
  const practice = practiceWith(() => db, [
    ...records,
    { resourceType: 'Patient', id: 'shared-1', name: [{ family: 'Shared' }] },
    { resourceType: 'Device', id: 'shared-1' },
    { resourceType: 'Observation', id: 'obs-of-patient-shared-1', status: 'final', code: GLUCOSE, subject: { reference: 'Patient/shared-1' } },
    { resourceType: 'Observation', id: 'obs-of-device-shared-1', status: 'final', code: GLUCOSE, subject: { reference: 'Device/shared-1' } },
    { resourceType: 'Observation', id: 'obs-absolute-mary', status: 'final', code: GLUCOSE, subject: { reference: `${TEST_BASE}/Patient/mary-jane` } },
    { resourceType: 'Observation', id: 'obs-by-identifier', status: 'final', code: GLUCOSE, subject: { type: 'Patient', identifier: { system: 'urn:mrn', value: 'MRN-9' } } },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('Type/id matches that resource, relative or absolute as stored', async () => {
    expect(await ids('Observation?subject=Patient/peter-parker')).toEqual(['obs-parker-glucose']);
    expect(await ids('Observation?subject=Patient/mary-jane')).toEqual(['obs-absolute-mary', 'obs-mary-hemoglobin']);
    expect(await ids(`Observation?subject=${TEST_BASE}/Patient/mary-jane`)).toEqual(['obs-absolute-mary', 'obs-mary-hemoglobin']);
  });

  it('a bare id matches any target type unless the parameter has one target or a :Type modifier', async () => {
    expect(await ids('Observation?subject=shared-1')).toEqual(['obs-of-device-shared-1', 'obs-of-patient-shared-1']);
    expect(await ids('Observation?subject:Patient=shared-1')).toEqual(['obs-of-patient-shared-1']);
    expect(await ids('Observation?subject:Device=shared-1')).toEqual(['obs-of-device-shared-1']);
    expect(await ids('Observation?patient=shared-1')).toEqual(['obs-of-patient-shared-1']);
    expect(await ids('Observation?subject:Patient=Device/shared-1')).toEqual([]);
  });

  it('comma-separated references are alternatives', async () => {
    expect(await ids('Observation?subject=Patient/peter-parker,Patient/peter-quill')).toEqual(['obs-parker-glucose', 'obs-quill-glucose']);
  });

  it(':identifier matches the identifier written in the reference', async () => {
    expect(await ids('Observation?subject:identifier=urn:mrn|MRN-9')).toEqual(['obs-by-identifier']);
    expect(await ids('Observation?subject:identifier=MRN-9')).toEqual(['obs-by-identifier']);
    expect(await ids('Observation?subject:identifier=urn:other|MRN-9')).toEqual([]);
    expect(await ids('Observation?subject:identifier=urn:mrn|')).toEqual(['obs-by-identifier']);
    expect(await ids('Observation?subject:identifier=|MRN-9')).toEqual([]);
  });

  it(':missing tells referencing and non-referencing resources apart', async () => {
    expect(await ids('Observation?encounter:missing=false')).toEqual(['obs-mary-hemoglobin', 'obs-parker-glucose']);
    expect(await ids('Observation?performer:missing=false')).toEqual(['obs-parker-glucose']);
    expect(await ids('Observation?subject:missing=true')).toEqual([]);
  });

  it('refuses something that is not a reference', async () => {
    await expectBadRequest(practice.server, 'Observation?subject=Patient/');
    await expectBadRequest(practice.server, 'Observation?subject=not a reference');
    await expectBadRequest(practice.server, 'Observation?subject:below=Patient/x');
  });
});

describe('chained parameters', () => {
  const practice = practiceWith(() => db, records);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('subject:Patient.name= matches observations whose patient has that name', async () => {
    expect(await ids('Observation?subject:Patient.name=peter')).toEqual(['obs-parker-glucose', 'obs-quill-glucose']);
    expect(await ids('Observation?subject:Patient.name=mary')).toEqual(['obs-mary-hemoglobin']);
    expect(await ids('Observation?subject:Patient.name=nobody')).toEqual([]);
  });

  it('without a type the chain tries every target type that has the parameter', async () => {
    expect(await ids('Observation?subject.name=peter')).toEqual(['obs-parker-glucose', 'obs-quill-glucose']);
    expect(await ids('Observation?patient.family=parker')).toEqual(['obs-parker-glucose']);
  });

  it('the last link keeps its modifier and type rules', async () => {
    expect(await ids('Observation?subject:Patient.name:exact=Peter')).toEqual(['obs-parker-glucose', 'obs-quill-glucose']);
    expect(await ids('Observation?subject:Patient.family:exact=parker')).toEqual([]);
    expect(await ids('Observation?subject:Patient.identifier=urn:mrn|MRN-1')).toEqual(['obs-parker-glucose']);
    expect(await ids('Observation?subject:Patient.family=parker,jane')).toEqual(['obs-mary-hemoglobin', 'obs-parker-glucose']);
  });

  it('two links: Observation?subject:Patient.organization.name=acme', async () => {
    expect(await ids('Observation?subject:Patient.organization.name=acme')).toEqual(['obs-parker-glucose']);
    expect(await ids('Observation?patient.general-practitioner.name=wilson')).toEqual(['obs-mary-hemoglobin']);
    expect(await ids('Observation?encounter.service-provider.name=other')).toEqual(['obs-mary-hemoglobin']);
  });

  it('three links: Observation?encounter.service-provider.partof.name=parent', async () => {
    expect(await ids('Observation?encounter.service-provider.partof.name=parent')).toEqual(['obs-parker-glucose']);
    expect(await ids('Observation?subject:Patient.organization.partof.name=parent')).toEqual(['obs-parker-glucose']);
    expect(await ids('Observation?subject:Patient.organization.partof.name=acme')).toEqual([]);
  });

  it('chains combine with other parameters (AND)', async () => {
    expect(await ids('Observation?subject:Patient.name=peter&code=718-7')).toEqual([]);
    expect(await ids(`Observation?subject:Patient.name=peter&code=${LOINC}|2339-0&encounter:missing=true`)).toEqual(['obs-quill-glucose']);
  });

  it('refuses a fourth link, a chain through a non-reference and an unknown parameter', async () => {
    expect(await expectBadRequest(practice.server, 'Observation?encounter.service-provider.partof.partof.name=x')).toMatch(/at most 3/);
    await expectBadRequest(practice.server, 'Observation?code.name=x');
    await expectBadRequest(practice.server, 'Observation?subject:Patient.colour=x');
  });
});

describe('_has (reverse chaining)', () => {
  const practice = practiceWith(() => db, records);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('finds patients referenced by an Observation with that code', async () => {
    expect(await ids(`Patient?_has:Observation:patient:code=${LOINC}|2339-0`)).toEqual(['peter-parker', 'peter-quill']);
    expect(await ids('Patient?_has:Observation:subject:code=718-7')).toEqual(['mary-jane']);
    expect(await ids('Patient?_has:Observation:subject:code=718-7,2339-0')).toEqual(['mary-jane', 'peter-parker', 'peter-quill']);
    expect(await ids('Patient?_has:Observation:patient:code=0000-0')).toEqual([]);
  });

  it('nested _has: patients with an Observation that a final DiagnosticReport lists as a result', async () => {
    expect(await ids('Patient?_has:Observation:patient:_has:DiagnosticReport:result:status=final')).toEqual(['peter-parker']);
    expect(await ids('Patient?_has:Observation:patient:_has:DiagnosticReport:result:status=preliminary')).toEqual(['mary-jane']);
  });

  it('combines with the searched type\'s own parameters and with chains', async () => {
    expect(await ids('Patient?name=peter&_has:Observation:patient:code=2339-0&organization:missing=true')).toEqual(['peter-quill']);
    expect(await ids('Organization?_has:Patient:organization:_has:Observation:patient:code=718-7')).toEqual(['org-other']);
    expect(await ids('Practitioner?_has:Patient:general-practitioner:_has:MedicationRequest:subject:status=active')).toEqual(['dr-house', 'dr-wilson']);
  });

  it('refuses a malformed _has', async () => {
    await expectBadRequest(practice.server, 'Patient?_has:Observation:code=718-7');
    await expectBadRequest(practice.server, 'Patient?_has:Observation:status:code=718-7');
    await expectBadRequest(practice.server, 'Patient?_has:Spaceship:patient:code=718-7');
  });
});

describe('_include and _revinclude', () => {
  const practice = practiceWith(() => db, [
    ...records,
    { resourceType: 'Practitioner', id: 'dr-gone', name: [{ family: 'Gone' }] },
    { resourceType: 'Patient', id: 'patient-of-gone', generalPractitioner: [{ reference: 'Practitioner/dr-gone' }] },
  ]);
  const bundle = (search: string) => searchBundle(practice.server, search);

  it('_include adds the referenced resources as include entries', async () => {
    const result = await bundle('Observation?_id=obs-parker-glucose,obs-mary-hemoglobin&_include=Observation:subject');
    expect(idsOf(result).sort()).toEqual(['obs-mary-hemoglobin', 'obs-parker-glucose']);
    expect(includedRefs(result)).toEqual(['Patient/mary-jane', 'Patient/peter-parker']);
  });

  it('several _include parameters each add their targets; a target type narrows them', async () => {
    const result = await bundle('Observation?_id=obs-parker-glucose&_include=Observation:subject&_include=Observation:performer&_include=Observation:encounter');
    expect(includedRefs(result)).toEqual(['Encounter/enc-parker', 'Patient/peter-parker', 'Practitioner/dr-house']);
    const narrowed = await bundle('Observation?_id=obs-parker-glucose&_include=Observation:performer:Organization');
    expect(includedRefs(narrowed)).toEqual([]);
  });

  it('without :iterate, includes are not followed from included resources', async () => {
    const result = await bundle('MedicationRequest?_id=rx-parker&_include=MedicationRequest:patient&_include=Patient:organization');
    expect(idsOf(result)).toEqual(['rx-parker']);
    expect(includedRefs(result)).toEqual(['Patient/peter-parker']);
  });

  it('_include:iterate follows MedicationRequest → Patient → Organization → parent Organization', async () => {
    const result = await bundle('MedicationRequest?_id=rx-parker&_include=MedicationRequest:patient&_include:iterate=Patient:organization');
    expect(includedRefs(result)).toEqual(['Organization/org-acme', 'Patient/peter-parker']);
    const deeper = await bundle(
      'MedicationRequest?_id=rx-parker&_include=MedicationRequest:patient&_include:iterate=Patient:organization&_include:iterate=Organization:partof',
    );
    expect(includedRefs(deeper)).toEqual(['Organization/org-acme', 'Organization/org-parent', 'Patient/peter-parker']);
  });

  it('a resource included twice appears once; a match is never repeated as an include', async () => {
    const result = await bundle('Observation?code=2339-0&_include=Observation:subject&_include=Observation:patient');
    expect(idsOf(result).sort()).toEqual(['obs-parker-glucose', 'obs-quill-glucose']);
    expect(includedRefs(result)).toEqual(['Patient/peter-parker', 'Patient/peter-quill']);
    const self = await bundle('Organization?_id=org-acme,org-parent&_include=Organization:partof');
    expect(idsOf(self).sort()).toEqual(['org-acme', 'org-parent']);
    expect(includedRefs(self)).toEqual([]);
  });

  it('_revinclude adds the resources that refer to the matches', async () => {
    const result = await bundle('Patient?_id=peter-parker&_revinclude=Observation:subject&_revinclude=MedicationRequest:patient');
    expect(idsOf(result)).toEqual(['peter-parker']);
    expect(includedRefs(result)).toEqual(['MedicationRequest/rx-parker', 'Observation/obs-parker-glucose']);
  });

  it('_revinclude:iterate follows referrers of referrers (Patient ← Observation ← DiagnosticReport)', async () => {
    const plain = await bundle('Patient?_id=peter-parker,mary-jane&_revinclude=Observation:subject&_revinclude=DiagnosticReport:result');
    expect(includedRefs(plain)).toEqual(['Observation/obs-mary-hemoglobin', 'Observation/obs-parker-glucose']);
    const iterated = await bundle('Patient?_id=peter-parker,mary-jane&_revinclude=Observation:subject&_revinclude:iterate=DiagnosticReport:result');
    expect(includedRefs(iterated)).toEqual([
      'DiagnosticReport/report-final',
      'DiagnosticReport/report-preliminary',
      'Observation/obs-mary-hemoglobin',
      'Observation/obs-parker-glucose',
    ]);
  });

  it('_include and _revinclude combine: an organization, its patients and their practitioners', async () => {
    const result = await bundle('Organization?_id=org-acme&_revinclude=Patient:organization&_include:iterate=Patient:general-practitioner');
    expect(includedRefs(result)).toEqual(['Patient/peter-parker', 'Practitioner/dr-house']);
  });

  it('includes count towards neither the page size nor the total', async () => {
    const result = await bundle('Observation?code=2339-0&_include=Observation:subject&_count=1&_total=accurate');
    expect(result.total).toBe(2);
    expect(idsOf(result)).toHaveLength(1);
    expect(includedRefs(result)).toHaveLength(1);
  });

  it('does not include a deleted resource', async () => {
    expect((await practice.server.fhir('DELETE', 'Practitioner/dr-gone')).status).toBe(204);
    const result = await bundle('Patient?_id=patient-of-gone&_include=Patient:general-practitioner');
    expect(idsOf(result)).toEqual(['patient-of-gone']);
    expect(includedRefs(result)).toEqual([]);
  });

  it('refuses an _include that is not Type:reference-parameter', async () => {
    await expectBadRequest(practice.server, 'Observation?_include=Observation:code');
    await expectBadRequest(practice.server, 'Observation?_include=Observation');
    await expectBadRequest(practice.server, 'Observation?_include=Observation:nothing');
    await expectBadRequest(practice.server, 'Observation?_include:deep=Observation:subject');
    await expectBadRequest(practice.server, 'Patient?_revinclude=Spaceship:patient');
  });
});

describe('compartment search', () => {
  const practice = practiceWith(() => db, [
    ...records,
    // Mary's observation that Peter performed (a patient can be a performer): in both compartments.
    { resourceType: 'Observation', id: 'obs-performed-by-parker', status: 'final', code: HEMOGLOBIN, subject: { reference: 'Patient/mary-jane' }, performer: [{ reference: 'Patient/peter-parker' }] },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('GET /Patient/{id}/Observation lists the observations in that patient\'s compartment', async () => {
    expect(await ids('Patient/peter-parker/Observation')).toEqual(['obs-parker-glucose', 'obs-performed-by-parker']);
    expect(await ids('Patient/mary-jane/Observation')).toEqual(['obs-mary-hemoglobin', 'obs-performed-by-parker']);
  });

  it('applies further search parameters within the compartment', async () => {
    expect(await ids('Patient/peter-parker/Observation?code=718-7')).toEqual(['obs-performed-by-parker']);
    expect(await ids('Patient/peter-parker/MedicationRequest?status=active')).toEqual(['rx-parker']);
    expect(await ids('Patient/peter-parker/Encounter')).toEqual(['enc-parker']);
  });

  it('answers 404 for a patient that does not exist', async () => {
    const response = await practice.server.fhir('GET', 'Patient/nobody/Observation');
    expect(response.status).toBe(404);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });

  it('a type outside the patient compartment has nothing in it', async () => {
    expect(await ids('Patient/peter-parker/Organization')).toEqual([]);
  });
});
