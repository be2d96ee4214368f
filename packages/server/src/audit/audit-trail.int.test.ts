import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { openTestDatabase, startTestServer, type FhirCall, type TestServer } from '../test-support/test-database.js';
import { AuditSealer, verifyAuditChains } from './audit-seal.js';

let db: Database;
let server: TestServer;
let nurse: { fhir: FhirCall; accountId: string };
let patientId: string;

async function auditEvents(query: string): Promise<any[]> {
  const response = await server.fhir('GET', `AuditEvent?${query}&_count=100`);
  expect(response.status).toBe(200);
  return (response.body.entry ?? []).map((e: any) => e.resource);
}

const subtypes = (events: any[]) => events.map((e) => e.subtype[0].code);

beforeAll(async () => {
  db = await openTestDatabase();
  server = await startTestServer(db);
  nurse = await server.signInAs('nurse', { fhirUser: 'Practitioner/nurse-1' });
  patientId = (await nurse.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Audited' }] })).body.id;
});
afterAll(async () => {
  await server.app.close();
  await db.close();
});

describe('the audit trail', () => {
  it('records a write with who, which patient, what, when and from where', async () => {
    const observation = await nurse.fhir('POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${patientId}` } });
    const events = await auditEvents(`entity=Observation/${observation.body.id}`);
    expect(subtypes(events)).toEqual(['create']);
    const [event] = events;
    expect(event.action).toBe('C');
    expect(event.outcome).toBe('0');
    expect(event.agent[0].who.reference).toBe('Practitioner/nurse-1');
    expect(event.agent[0].altId).toBe(nurse.accountId);
    expect(event.agent[0].network.address).toBeDefined();
    expect(event.entity.map((e: any) => e.what?.reference)).toContain(`Patient/${patientId}`);
    expect(Date.parse(event.recorded)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records reads and searches before the answer is sent, and finds them by patient, agent and date', async () => {
    const since = new Date().toISOString();
    await nurse.fhir('GET', `Patient/${patientId}`);
    await nurse.fhir('GET', `Observation?subject=Patient/${patientId}`);
    const byPatient = await auditEvents(`patient=${patientId}&agent=${nurse.accountId}&date=ge${since}`);
    expect(subtypes(byPatient)).toEqual(['search', 'read']);
    expect(byPatient[0].entity.find((e: any) => e.query).description).toBe(`Observation?subject=Patient%2F${patientId}`);
    const byPractitioner = await auditEvents(`agent=Practitioner/nurse-1&date=ge${since}`);
    expect(byPractitioner).toHaveLength(2);
    // By id, as an AuditEvent reference names it; an id that is not a UUID names nothing.
    expect((await auditEvents(`_id=${byPatient[1].id},not-an-id`)).map((e) => e.id)).toEqual([byPatient[1].id]);
    expect(await auditEvents('_id=not-an-id')).toEqual([]);
  });

  it('records a denied access with outcome 4', async () => {
    const frontDesk = await server.signInAs('front-desk');
    expect((await frontDesk.fhir('GET', 'Observation')).status).toBe(403);
    const denied = await auditEvents(`agent=${frontDesk.accountId}&outcome=4`);
    expect(subtypes(denied)).toEqual(['access-denied']);
  });

  it('records sign-ins and failed sign-ins', async () => {
    const biller = await server.signInAs('biller');
    await server.request({ method: 'POST', url: '/auth/login', payload: { email: biller.email, password: 'wrong wrong wrong' } });
    const events = await auditEvents(`agent=${biller.accountId}`);
    expect(subtypes(events)).toEqual(['login-failed', 'login']);
  });

  it('leaves no entry for the writes of a transaction that was rolled back', async () => {
    const before = await auditEvents('subtype=create');
    const failed = await nurse.fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Rolled' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'not-a-gender' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(failed.status).toBe(400);
    expect(await auditEvents('subtype=create')).toHaveLength(before.length);
  });

  it('cannot be changed or removed through the API or in SQL', async () => {
    const [event] = await auditEvents('subtype=create');
    expect((await server.fhir('PUT', `AuditEvent/${event.id}`, event)).status).toBe(405);
    expect((await server.fhir('DELETE', `AuditEvent/${event.id}`)).status).toBe(405);
    await expect(db.query(server.practice.id, "UPDATE audit_event SET outcome = '8' WHERE id = $1", [event.id])).rejects.toThrow();
    await expect(db.query(server.practice.id, 'DELETE FROM audit_event WHERE id = $1', [event.id])).rejects.toThrow();
    await expect(db.asOwner((sql) => sql.query("UPDATE audit_event SET outcome = '8' WHERE id = $1", [event.id]))).rejects.toThrow(/append-only/);
    await expect(db.asOwner((sql) => sql.exec('TRUNCATE audit_event CASCADE'))).rejects.toThrow(/append-only/);
  });

  it('lets a patient see who accessed their record, and nothing else', async () => {
    const patient = await server.signInAs('patient', { fhirUser: `Patient/${patientId}` });
    const mine = await patient.fhir('GET', 'AuditEvent?_count=100');
    expect(mine.status).toBe(200);
    const events = mine.body.entry.map((e: any) => e.resource);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e: any) => JSON.stringify(e).includes(patientId))).toBe(true);
    expect(events.some((e: any) => e.agent[0].who?.reference === 'Practitioner/nurse-1')).toBe(true);
    const someoneElses = await patient.fhir('GET', 'AuditEvent?patient=another-patient');
    expect(someoneElses.body.entry.every((e: any) => JSON.stringify(e.resource).includes(patientId))).toBe(true);
  });
});

describe('the hash chain', () => {
  it('seals every event, verifies clean, and catches an event altered or removed behind the database triggers', async () => {
    const sealer = new AuditSealer(db);
    expect(await sealer.seal(server.practice.id)).toBeGreaterThan(0);
    const clean = await verifyAuditChains(db);
    expect(clean.problems.filter((p) => p.practiceId === server.practice.id)).toEqual([]);

    const [altered, removed] = await auditEvents('subtype=search');
    const [read] = await auditEvents(`subtype=read&entity=Patient/${patientId}`);
    // Only someone who can switch the triggers off (the database owner) gets this far.
    await db.asOwner(async (sql) => {
      await sql.exec('ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only');
      await sql.query("UPDATE audit_event SET content = replace(content, 'search', 'read') WHERE id = $1", [altered.id]);
      await sql.query('DELETE FROM audit_event WHERE id = $1', [removed.id]);
      // What a read returned is sealed with it, though kept beside the JSON: hiding that it touched the patient shows too.
      await sql.query('UPDATE audit_event SET touched = NULL WHERE id = $1', [read.id]);
      await sql.exec('ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only');
    });
    const tampered = await verifyAuditChains(db);
    const found = tampered.problems.filter((p) => p.practiceId === server.practice.id).map((p) => [p.problem, p.eventId]);
    expect(found).toEqual(expect.arrayContaining([['altered', altered.id], ['removed', removed.id], ['altered', read.id]]));
  });

  it('reports an entry the sealer never reached', async () => {
    // Written as if by a transaction that committed long after newer entries were sealed, below where the sealer looks.
    const id = randomUUID();
    await db.asOwner((sql) =>
      sql.query(
        `INSERT INTO audit_event (tenant_id, id, seq, recorded, type, action, outcome, content) VALUES ($1, $2, 0, now() - interval '10 minutes', 'read', 'R', '0', '{}')`,
        [server.practice.id, id],
      ),
    );
    await new AuditSealer(db).seal(server.practice.id);
    const { problems } = await verifyAuditChains(db);
    expect(problems.filter((p) => p.practiceId === server.practice.id && p.problem === 'unsealed').map((p) => p.eventId)).toEqual([id]);
  });
});
