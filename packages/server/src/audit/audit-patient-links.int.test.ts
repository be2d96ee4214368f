import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import type { Practice } from '../practice/practices.js';
import { newPractice, openTestDatabase, repositoryFor } from '../test-support/test-database.js';
import { AuditSealer } from './audit-seal.js';
import { searchAuditEvents } from './audit-search.js';
import { AuditTrail } from './audit-trail.js';
import { LINKS_SQL } from './audit-patient-links.js';

// No server here, so no sealer running in the background: each path is seen on its own.
let db: Database;
let practice: Practice;
let patientId: string;
let observationIds: string[];
const agent = { name: 'Nurse Nightingale', accountId: 'nurse-account' };

beforeAll(async () => {
  db = await openTestDatabase();
  practice = await newPractice(db);
  const repo = repositoryFor(db, practice);
  const [patient] = await repo.transaction((tx) => tx.createMany([{ resource: { resourceType: 'Patient', name: [{ family: 'Manyresults' }] } }]));
  patientId = patient!.id!;
  const observations = Array.from({ length: 55 }, (_, i) => ({
    resource: { resourceType: 'Observation', status: 'final', code: { text: `reading ${i}` }, subject: { reference: `Patient/${patientId}` } },
  }));
  observationIds = (await repo.transaction((tx) => tx.createMany(observations))).map((o) => o.id!);
});
afterAll(() => db.close());

const byPatient = (patient: string) =>
  db.transaction(practice.id, (sql) => searchAuditEvents(sql, practice.id, new URLSearchParams({ patient, subtype: 'search' })));
const linksOf = (eventId: string) =>
  db.query(practice.id, 'SELECT patient_id FROM audit_event_patient WHERE tenant_id = $1 AND event_id = $2', [practice.id, eventId]);

describe('patient links of read and search entries', () => {
  it('finds a search by every patient it returned before the entry is sealed, and links it once', async () => {
    const trail = new AuditTrail(db);
    const touched = [{ resourceType: 'Patient', id: 'someone-else' }, ...observationIds.map((id) => ({ resourceType: 'Observation', id }))];
    await trail.record(practice.id, { kind: 'search', agent, outcome: 'success', query: 'Observation?code=reading' }, touched);

    const found = await byPatient(patientId);
    expect(found.matches).toHaveLength(1);
    const event = JSON.parse(found.matches[0]!.content);
    // The entry names the first 50 of what it returned; the links cover all of it.
    expect(event.entity.filter((e: { what?: unknown }) => e.what)).toHaveLength(50);
    expect((await byPatient('someone-else')).matches).toHaveLength(1);

    expect(await new AuditSealer(db).seal(practice.id)).toBeGreaterThan(0);
    expect((await byPatient(patientId)).matches).toHaveLength(1);
    const links = (await linksOf(found.matches[0]!.id)).map((l) => l.patient_id).sort();
    expect(links).toEqual([patientId, 'someone-else'].sort());
  });

  it('links entries the sealer reaches first just the same', async () => {
    const trail = new AuditTrail(db);
    await trail.record(practice.id, { kind: 'read', agent, outcome: 'success', entity: `Observation/${observationIds[0]}` }, [{ resourceType: 'Observation', id: observationIds[0]! }]);
    const [event] = await db.query<{ id: string }>(practice.id, "SELECT id::text AS id FROM audit_event WHERE tenant_id = $1 AND type = 'read'", [practice.id]);
    expect(await linksOf(event!.id)).toEqual([]);
    await new AuditSealer(db).seal(practice.id);
    expect(await linksOf(event!.id)).toEqual([{ patient_id: patientId }]);
  });

  it('looks up what an entry touched through the index, under row-level security as the application runs', async () => {
    // With sequential scans priced out, a plan still scanning sp_reference could not use its index:
    // that was a scan of every reference in the practice for each entry (minutes per sealer batch at scale).
    const plan = await db.transaction(practice.id, async (sql) => {
      await sql.exec('SET LOCAL enable_seqscan = off');
      const rows = await sql.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ${LINKS_SQL('SELECT id, recorded, touched FROM audit_event WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND touched IS NOT NULL')}`,
        [practice.id, []],
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    // The lookup takes each touched resource's type and id into the index scan (which index is the planner's
    // choice by the data's size); the old statement could only compare them above a scan of the practice's
    // whole range, as a join filter or a hash join.
    expect(plan).toMatch(/Index Scan using sp_reference_\w+ on sp_reference r/);
    expect(plan).not.toMatch(/(Join Filter|Hash Cond): .*split_part/);
  });
});
