import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { openTestDatabase, startTestServer, type FhirCall, type TestServer } from '../test-support/test-database.js';

let db: Database;
let server: TestServer;
const ids: Record<string, string> = {};

const bodies: Record<string, (patientId: string) => Record<string, unknown>> = {
  Patient: () => ({ resourceType: 'Patient', name: [{ family: 'Matrix' }] }),
  Observation: (p) => ({ resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${p}` } }),
  Appointment: (p) => ({ resourceType: 'Appointment', status: 'booked', start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:20:00Z', participant: [{ actor: { reference: `Patient/${p}` }, status: 'accepted' }] }),
  Claim: (p) => ({
    resourceType: 'Claim',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${p}` },
    created: '2026-11-01',
    provider: { reference: `Organization/${ids.organization}` },
    priority: { coding: [{ code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { display: 'Acme Health PPO' } }],
  }),
  Organization: () => ({ resourceType: 'Organization', name: 'Matrix Clinic' }),
};

type Interaction = 'read' | 'search' | 'history' | 'create' | 'update' | 'delete';
const ALL: Interaction[] = ['read', 'search', 'history', 'create', 'update', 'delete'];
const READ: Interaction[] = ['read', 'search', 'history'];
const WRITE: Interaction[] = ['read', 'search', 'history', 'create', 'update'];

/** What each role may do, written out by hand (not derived from the policies under test). */
const EXPECTED: Record<string, Record<string, Interaction[]>> = {
  administrator: { Patient: ALL, Observation: ALL, Appointment: ALL, Claim: ALL, Organization: ALL },
  physician: { Patient: ALL, Observation: ALL, Appointment: ALL, Claim: ALL, Organization: ALL },
  nurse: { Patient: WRITE, Observation: WRITE, Appointment: WRITE, Claim: WRITE, Organization: WRITE },
  'front-desk': { Patient: WRITE, Observation: [], Appointment: WRITE, Claim: [], Organization: READ },
  biller: { Patient: READ, Observation: [], Appointment: [], Claim: WRITE, Organization: READ },
  // A booked appointment is the practice's to write; a patient books through $book (and requests, below).
  patient: { Patient: ['read', 'search'], Observation: ['read', 'search'], Appointment: ['read', 'search'], Claim: [], Organization: ['read', 'search'] },
};

async function createAsAdmin(type: string): Promise<string> {
  const response = await server.fhir('POST', type, bodies[type]!(ids.patient!));
  expect(response.status).toBe(201);
  return response.body.id;
}

async function attempt(fhir: FhirCall, type: string, interaction: Interaction): Promise<number> {
  const id = ids[type]!;
  switch (interaction) {
    case 'read':
      return (await fhir('GET', `${type}/${id}`)).status;
    case 'search':
      return (await fhir('GET', `${type}?_id=${id}`)).status;
    case 'history':
      return (await fhir('GET', `${type}/${id}/_history`)).status;
    case 'create':
      return (await fhir('POST', type, bodies[type]!(ids.patient!))).status;
    case 'update': {
      const current = await server.fhir('GET', `${type}/${id}`);
      return (await fhir('PUT', `${type}/${id}`, current.body)).status;
    }
    case 'delete':
      return (await fhir('DELETE', `${type}/${await createAsAdmin(type)}`)).status;
  }
}

beforeAll(async () => {
  db = await openTestDatabase();
  server = await startTestServer(db);
  ids.organization = (await server.fhir('POST', 'Organization', bodies.Organization!(''))).body.id;
  ids.patient = (await server.fhir('POST', 'Patient', bodies.Patient!(''))).body.id;
  ids.Patient = ids.patient!;
  ids.Organization = ids.organization!;
  for (const type of ['Observation', 'Appointment', 'Claim']) ids[type] = await createAsAdmin(type);
});
afterAll(async () => {
  await server.app.close();
  await db.close();
});

describe.each(Object.entries(EXPECTED))('the %s role', (role, byType) => {
  let fhir: FhirCall;
  beforeAll(async () => {
    fhir = (await server.signInAs(role, role === 'patient' ? { fhirUser: `Patient/${ids.patient}` } : {})).fhir;
  });

  for (const [type, allowed] of Object.entries(byType)) {
    for (const interaction of ALL) {
      const expectation = allowed.includes(interaction) ? 'may' : 'may not';
      it(`${expectation} ${interaction} ${type}`, async () => {
        const status = await attempt(fhir, type, interaction);
        if (allowed.includes(interaction)) expect(status).toBeLessThan(300);
        else expect(status).toBe(403);
      });
    }
  }
});

describe('a patient in the portal', () => {
  let own: FhirCall;
  let ownPatient: string;
  let ownObservation: string;
  let otherPatient: string;
  let otherObservation: string;

  beforeAll(async () => {
    ownPatient = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Portal' }] })).body.id;
    ownObservation = (await server.fhir('POST', 'Observation', bodies.Observation!(ownPatient))).body.id;
    own = (await server.signInAs('patient', { fhirUser: `Patient/${ownPatient}` })).fhir;
    otherPatient = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Stranger' }] })).body.id;
    otherObservation = (await server.fhir('POST', 'Observation', bodies.Observation!(otherPatient))).body.id;
  });

  it('cannot read another patient or their observation by id (403, same as for a missing id)', async () => {
    expect((await own('GET', `Patient/${otherPatient}`)).status).toBe(403);
    expect((await own('GET', `Observation/${otherObservation}`)).status).toBe(403);
    expect((await own('GET', 'Observation/does-not-exist')).status).toBe(403);
  });

  it('finds only their own record by search, and the total counts nothing else', async () => {
    const patients = await own('GET', 'Patient?_total=accurate');
    expect(patients.body.entry.map((e: any) => e.resource.id)).toEqual([ownPatient]);
    expect(patients.body.total).toBe(1);
    const observations = await own('GET', 'Observation?_total=accurate');
    expect(observations.body.entry.map((e: any) => e.resource.id)).toEqual([ownObservation]);
    expect(observations.body.total).toBe(1);
    const byName = await own('GET', 'Patient?name=stranger&_summary=count');
    expect(byName.body.total).toBe(0);
  });

  it('cannot reach another patient through _include, _revinclude, a chain or _has', async () => {
    const revinclude = await own('GET', `Patient?_revinclude=Observation:subject`);
    expect(revinclude.body.entry.map((e: any) => e.resource.id).sort()).toEqual([ownPatient, ownObservation].sort());
    const chained = await own('GET', 'Observation?subject:Patient.name=stranger');
    expect(chained.body.entry).toBeUndefined();
    const has = await own('GET', `Patient?_has:Observation:subject:_id=${otherObservation}`);
    expect(has.body.entry).toBeUndefined();
    const compartment = await own('GET', `Patient/${otherPatient}/Observation`);
    expect(compartment.status).toBe(403);
  });

  it('writes appointments directly only as requests; booking, moving and cancelling go through the operations', async () => {
    const request = { resourceType: 'Appointment', status: 'proposed', requestedPeriod: [{ start: '2026-12-07T00:00:00Z', end: '2026-12-12T00:00:00Z' }], participant: [{ actor: { reference: `Patient/${ownPatient}` }, status: 'accepted' }] };
    const requested = await own('POST', 'Appointment', request);
    expect(requested.status).toBe(201);
    expect((await own('PUT', `Appointment/${requested.body.id}`, { ...requested.body, description: 'Any day that week' })).status).toBe(200);

    const refusals = [
      await own('POST', 'Appointment', bodies.Appointment!(ownPatient)),
      await own('PUT', `Appointment/${requested.body.id}`, { ...requested.body, status: 'booked', start: '2026-12-08T09:00:00Z', end: '2026-12-08T09:20:00Z' }),
      await own('PATCH', `Appointment/${requested.body.id}`, [{ op: 'replace', path: '/status', value: 'booked' }], { 'content-type': 'application/json-patch+json' }),
      await own('DELETE', `Appointment/${requested.body.id}`),
      await own('POST', '', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Appointment' }, resource: bodies.Appointment!(ownPatient) }] }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(refusals[0]!.body.issue[0].diagnostics).toContain('Appointment/$book');
    // The practice's booked appointment of this patient stays out of the patient's hands too.
    const booked = await server.fhir('POST', 'Appointment', bodies.Appointment!(ownPatient));
    expect((await own('PUT', `Appointment/${booked.body.id}`, { ...booked.body, status: 'proposed' })).status).toBe(403);
    expect((await server.fhir('GET', `Appointment/${requested.body.id}`)).body.status).toBe('proposed');
  });

  it('cannot use a Bundle to get around the rules', async () => {
    const bundle = await own('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Patient/${otherPatient}` } },
        { request: { method: 'GET', url: `Patient/${ownPatient}` } },
      ],
    });
    expect(bundle.status).toBe(200);
    expect(bundle.body.entry.map((e: any) => e.response.status)).toEqual(['403', '200 OK']);
    const transaction = await own('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: bodies.Observation!(otherPatient), request: { method: 'POST', url: 'Observation' } }],
    });
    expect(transaction.status).toBe(403);
  });
});

describe('signing in', () => {
  it('answers 401 without a token, with a forged token, and after sign-out', async () => {
    const noToken = await server.request({ method: 'GET', url: '/fhir/R4/Patient' });
    expect(noToken.statusCode).toBe(401);
    expect(JSON.parse(noToken.body).resourceType).toBe('OperationOutcome');
    const forged = await server.request({ method: 'GET', url: '/fhir/R4/Patient', headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' } });
    expect(forged.statusCode).toBe(401);
    const { token, fhir } = await server.signInAs('nurse');
    expect((await fhir('GET', 'Patient')).status).toBe(200);
    await server.request({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${token}` } });
    expect((await fhir('GET', 'Patient')).status).toBe(401);
  });

  it('ends every session of a deactivated user at once', async () => {
    const nurse = await server.signInAs('nurse');
    expect((await nurse.fhir('GET', 'Patient')).status).toBe(200);
    const deactivate = await server.request({ method: 'POST', url: `/admin/users/${nurse.accountId}/deactivate`, headers: { authorization: `Bearer ${server.token}` } });
    expect(deactivate.statusCode).toBe(204);
    expect((await nurse.fhir('GET', 'Patient')).status).toBe(401);
    const again = await server.request({ method: 'POST', url: '/auth/login', payload: { email: nurse.email, password: 'correct horse battery staple' } });
    expect(again.statusCode).toBe(401);
  });

  it('locks an account after five wrong passwords', async () => {
    const biller = await server.signInAs('biller');
    for (let i = 0; i < 5; i++) {
      const wrong = await server.request({ method: 'POST', url: '/auth/login', payload: { email: biller.email, password: 'not the password at all' } });
      expect(wrong.statusCode).toBe(401);
    }
    const right = await server.request({ method: 'POST', url: '/auth/login', payload: { email: biller.email, password: 'correct horse battery staple' } });
    expect(right.statusCode).toBe(401);
    expect(JSON.parse(right.body).issue[0].diagnostics).toContain('locked');
  });

  it('rotates refresh tokens: a used one no longer works', async () => {
    const email = (await server.signInAs('nurse')).email;
    const login = JSON.parse((await server.request({ method: 'POST', url: '/auth/login', payload: { email, password: 'correct horse battery staple' } })).body);
    const refreshed = await server.request({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: login.refresh_token } });
    expect(refreshed.statusCode).toBe(200);
    expect(JSON.parse(refreshed.body).access_token).toBeDefined();
    const reused = await server.request({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: login.refresh_token } });
    expect(reused.statusCode).toBe(401);
  });

  it('only administrators manage accounts', async () => {
    const nurse = await server.signInAs('nurse');
    const list = await server.request({ method: 'GET', url: '/admin/users', headers: { authorization: `Bearer ${nurse.token}` } });
    expect(list.statusCode).toBe(403);
    const weak = await server.request({ method: 'POST', url: '/admin/users', headers: { authorization: `Bearer ${server.token}` }, payload: { email: 'new@test.unichart', role: 'nurse', password: 'short' } });
    expect(weak.statusCode).toBe(400);
    const created = await server.request({ method: 'POST', url: '/admin/users', headers: { authorization: `Bearer ${server.token}` }, payload: { email: 'new.nurse@test.unichart', role: 'nurse', password: 'a long enough passphrase' } });
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).not.toHaveProperty('passwordHash');
  });
});
