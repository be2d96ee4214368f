import { beforeAll, describe, expect, it } from 'vitest';
import type { FhirCall } from '../test-support/test-database.js';
import { useTestServer } from '../test-support/test-database.js';

const env = useTestServer();
const ids: Record<string, string> = {};
let physician: { fhir: FhirCall; token: string; accountId: string; email: string };
let nurse: { fhir: FhirCall; token: string };
let frontDesk: { fhir: FhirCall };

const create = async (resource: Record<string, unknown>): Promise<string> => {
  const response = await env.server.fhir('POST', resource.resourceType as string, resource);
  expect(response.status).toBe(201);
  return response.body.id;
};
const admin = () => ({ authorization: `Bearer ${env.server.token}` });
const setRestriction = (careTeamRestriction: boolean) =>
  env.server.request({ method: 'PUT', url: '/admin/settings/security', headers: admin(), payload: { careTeamRestriction } });
const breakGlass = (token: string, payload: Record<string, unknown>) =>
  env.server.request({ method: 'POST', url: '/auth/emergency-access', headers: { authorization: `Bearer ${token}` }, payload });
const observation = (patient: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${patient}` } });
const auditOf = async (kind: string) =>
  (await env.db.query<{ content: string }>(env.server.practice.id, 'SELECT content FROM audit_event WHERE tenant_id = $1 AND type = $2 ORDER BY seq', [env.server.practice.id, kind])).map((r) => JSON.parse(r.content));

beforeAll(async () => {
  ids.me = await create({ resourceType: 'Practitioner', name: [{ family: 'Careful' }] });
  ids.other = await create({ resourceType: 'Practitioner', name: [{ family: 'Elsewhere' }] });
  ids.mine = await create({ resourceType: 'Patient', name: [{ family: 'Mine' }] });
  ids.scheduled = await create({ resourceType: 'Patient', name: [{ family: 'Scheduled' }] });
  ids.stranger = await create({ resourceType: 'Patient', name: [{ family: 'Stranger' }] });
  await create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${ids.mine}` }, participant: [{ individual: { reference: `Practitioner/${ids.me}` } }] });
  await create({
    resourceType: 'Appointment',
    status: 'booked',
    start: '2026-12-01T09:00:00Z',
    end: '2026-12-01T09:20:00Z',
    participant: [{ actor: { reference: `Patient/${ids.scheduled}` }, status: 'accepted' }, { actor: { reference: `Practitioner/${ids.me}` }, status: 'accepted' }],
  });
  await create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${ids.stranger}` }, participant: [{ individual: { reference: `Practitioner/${ids.other}` } }] });
  ids.mineObservation = await create(observation(ids.mine));
  ids.strangerObservation = await create(observation(ids.stranger));
  physician = await env.server.signInAs('physician', { fhirUser: `Practitioner/${ids.me}` });
  nurse = await env.server.signInAs('nurse');
  frontDesk = await env.server.signInAs('front-desk');
});

describe('care-team restriction', () => {
  it('changes nothing until the practice turns it on', async () => {
    expect((await physician.fhir('GET', `Patient/${ids.stranger}`)).status).toBe(200);
    expect((await nurse.fhir('GET', `Observation/${ids.strangerObservation}`)).status).toBe(200);
  });

  it('holds physicians and nurses to the patients they have an Encounter, Appointment or CareTeam with', async () => {
    expect((await setRestriction(true)).statusCode).toBe(200);
    try {
      expect((await physician.fhir('GET', `Patient/${ids.mine}`)).status).toBe(200);
      expect((await physician.fhir('GET', `Patient/${ids.scheduled}`)).status).toBe(200);
      expect((await physician.fhir('GET', `Observation/${ids.mineObservation}`)).status).toBe(200);
      const denied = await physician.fhir('GET', `Patient/${ids.stranger}`);
      expect(denied.status).toBe(403);
      expect(denied.body.resourceType).toBe('OperationOutcome');
      expect((await physician.fhir('GET', `Observation/${ids.strangerObservation}`)).status).toBe(403);
      expect((await physician.fhir('GET', `Patient/${ids.stranger}/_history`)).status).toBe(403);
      expect((await physician.fhir('GET', `Patient/${ids.stranger}/Observation`)).status).toBe(403);
      expect((await physician.fhir('GET', '_history')).status).toBe(403);

      // Searches leak nothing, not even as a count; includes are filtered the same way.
      const patients = await physician.fhir('GET', 'Patient?_total=accurate');
      expect(patients.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual([ids.mine, ids.scheduled].sort());
      expect(patients.body.total).toBe(2);
      expect((await physician.fhir('GET', `Observation?_id=${ids.strangerObservation}&_total=accurate`)).body.total).toBe(0);
      const encounters = await physician.fhir('GET', 'Encounter?_include=Encounter:subject');
      const listed = encounters.body.entry.map((e: { resource: { resourceType: string; id: string } }) => `${e.resource.resourceType}/${e.resource.id}`);
      expect(listed).toHaveLength(2);
      expect(listed).toContain(`Patient/${ids.mine}`);

      // Writes stay within the care team too.
      expect((await physician.fhir('POST', 'Observation', observation(ids.stranger))).status).toBe(403);
      expect((await physician.fhir('POST', 'Observation', observation(ids.mine))).status).toBe(201);
      // The directory is not patient data.
      expect((await physician.fhir('GET', `Practitioner/${ids.other}`)).status).toBe(200);

      // A nurse not linked to any practitioner has no care team at all; the front desk is not held to one.
      expect((await nurse.fhir('GET', `Patient/${ids.mine}`)).status).toBe(403);
      expect((await frontDesk.fhir('GET', `Patient/${ids.stranger}`)).status).toBe(200);
      expect((await auditOf('access-denied')).length).toBeGreaterThan(0);
    } finally {
      await setRestriction(false);
    }
  });
});

describe('emergency access (break the glass)', () => {
  it('opens a patient outside the care team for a while after a reason, flags every access and reports it to administrators', async () => {
    await setRestriction(true);
    try {
      expect((await breakGlass(physician.token, { patient: `Patient/${ids.stranger}` })).statusCode).toBe(400);
      expect((await breakGlass(physician.token, { patient: 'Patient/no-such-patient', reason: 'Unconscious in the waiting room' })).statusCode).toBe(404);
      const biller = await env.server.signInAs('biller');
      expect((await breakGlass(biller.token, { patient: `Patient/${ids.stranger}`, reason: 'Unconscious in the waiting room' })).statusCode).toBe(403);

      const granted = await breakGlass(physician.token, { patient: `Patient/${ids.stranger}`, reason: 'Unconscious in the waiting room' });
      expect(granted.statusCode).toBe(201);
      expect(new Date(granted.json().expiresAt).getTime() - Date.now()).toBeGreaterThan(55 * 60 * 1000);

      expect((await physician.fhir('GET', `Patient/${ids.stranger}`)).status).toBe(200);
      expect((await physician.fhir('GET', `Observation/${ids.strangerObservation}`)).status).toBe(200);
      const search = await physician.fhir('GET', `Observation?subject=Patient/${ids.stranger}`);
      expect(search.body.entry).toHaveLength(1);
      // Reading the own care team's patient is not flagged.
      expect((await physician.fhir('GET', `Patient/${ids.mine}`)).status).toBe(200);

      const flagged = await auditOf('emergency-access');
      // The grant, the read of the patient, of the observation and the search.
      expect(flagged).toHaveLength(4);
      for (const event of flagged) {
        expect(event.purposeOfEvent[0].text).toBe('Unconscious in the waiting room');
        expect(event.agent[0].altId).toBe(physician.accountId);
        expect(JSON.stringify(event.entity)).toContain(`Patient/${ids.stranger}`);
        expect(JSON.stringify(event.entity)).not.toContain(`Patient/${ids.mine}`);
      }

      const report = await env.server.request({ method: 'GET', url: '/admin/emergency-access', headers: admin() });
      expect(report.statusCode).toBe(200);
      const [entry] = report.json();
      expect(entry).toMatchObject({ patient: `Patient/${ids.stranger}`, reason: 'Unconscious in the waiting room', account: { email: physician.email, role: 'physician' } });
      const opened = entry.accesses.flatMap((a: { what: string[] }) => a.what);
      expect(opened).toEqual(expect.arrayContaining([`Patient/${ids.stranger}`, `Observation/${ids.strangerObservation}`]));
      expect(entry.accesses.map((a: { kind: string }) => a.kind)).toEqual(expect.arrayContaining(['read', 'search']));
      expect((await env.server.request({ method: 'GET', url: '/admin/emergency-access', headers: { authorization: `Bearer ${physician.token}` } })).statusCode).toBe(403);

      // Once the grant runs out, the record is closed again.
      await env.db.asOwner((sql) => sql.query("UPDATE emergency_access SET expires_at = now() - interval '1 minute' WHERE account_id = $1", [physician.accountId]));
      expect((await physician.fhir('GET', `Patient/${ids.stranger}`)).status).toBe(403);
    } finally {
      await setRestriction(false);
    }
  });
});

describe('administrators review emergency access', () => {
  const review = (id: string, payload: Record<string, unknown>, headers = admin()) =>
    env.server.request({ method: 'POST', url: `/admin/emergency-access/${id}/review`, headers, payload });
  const report = async () => (await env.server.request({ method: 'GET', url: '/admin/emergency-access', headers: admin() })).json() as { id: string; review?: { note: string; reviewer: { email: string } } }[];

  it('records one review per grant with the administrator’s note, refuses everyone else, and puts it on the audit trail', async () => {
    const [grant] = await report();
    expect(grant?.review).toBeUndefined();
    expect((await review(grant!.id, { note: '  ' })).statusCode).toBe(400);
    expect((await review(grant!.id, { note: 'x'.repeat(2001) })).statusCode).toBe(400);
    expect((await review('not-an-id', { note: 'Checked' })).statusCode).toBe(404);
    expect((await review('00000000-0000-4000-8000-000000000000', { note: 'Checked' })).statusCode).toBe(404);
    expect((await review(grant!.id, { note: 'Checked' }, { authorization: `Bearer ${physician.token}` })).statusCode).toBe(403);
    expect((await report())[0]?.review).toBeUndefined();

    expect((await review(grant!.id, { note: 'Confirmed with the ward: admitted unconscious' })).statusCode).toBe(204);
    const [reviewed] = await report();
    expect(reviewed?.review).toMatchObject({ note: 'Confirmed with the ward: admitted unconscious', reviewer: { email: expect.stringMatching(/^administrator-/) } });

    const again = await review(grant!.id, { note: 'A second opinion' });
    expect(again.statusCode).toBe(409);
    expect(again.json().resourceType).toBe('OperationOutcome');
    expect((await report())[0]?.review?.note).toBe('Confirmed with the ward: admitted unconscious');

    const [event] = await auditOf('emergency-access-review');
    expect(event.outcomeDesc).toContain(`Reviewed emergency access ${grant!.id}`);
    // The note is the administrators' own: the patient's accounting of disclosures lists this entry.
    expect(event.outcomeDesc).not.toContain('Confirmed with the ward');
    expect(JSON.stringify(event.entity)).toContain(`Patient/${ids.stranger}`);
  });
});
