import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Practice } from '../practice/practices.js';
import { newPractice, openTestDatabase, repositoryFor, startTestServer, type TestServer } from '../test-support/test-database.js';
import { APP_ROLE, SqlState, type Database } from './database.js';
import { TENANT_TABLES } from './migrations/001-record-store.js';
import { PostgresDatabase } from './postgres-database.js';

let db: Database;
let clinicA: Practice;
let clinicB: Practice;
let patientA: Resource;
let patientB: Resource;

const patient = (family: string): Resource =>
  ({ resourceType: 'Patient', identifier: [{ system: 'urn:example:mrn', value: `RLS-${family}` }], name: [{ family }], birthDate: '1970-01-01' }) as Resource;

/** A patient with enough around them that every index table (string, token, date, reference, number, quantity, uri, composite) gets rows. */
async function chartFor(practice: Practice, family: string): Promise<Resource> {
  return repositoryFor(db, practice).transaction(async (tx) => {
    const created = (await tx.create({ ...patient(family), meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] } } as Resource)).resource;
    const subject = { reference: `Patient/${created.id}` };
    await tx.create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      subject,
      valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    } as Resource);
    await tx.create({ resourceType: 'ChargeItem', status: 'billable', code: { text: 'Office visit' }, subject, factorOverride: 0.8 } as Resource);
    return created;
  });
}

beforeAll(async () => {
  db = await openTestDatabase();
  clinicA = await newPractice(db);
  clinicB = await newPractice(db);
  patientA = await chartFor(clinicA, 'Abbott');
  patientB = await chartFor(clinicB, 'Brennan');
  // Give B a second version so it has history beyond the first write.
  await repositoryFor(db, clinicB).transaction((tx) => tx.update({ ...patientB, gender: 'female' } as Resource));
  for (const practice of [clinicA, clinicB]) {
    await db.asOwner((sql) => sql.query("INSERT INTO practice_setting (tenant_id, key, value) VALUES ($1, 'timezone', '\"Europe/Paris\"')", [practice.id]));
  }
});
afterAll(async () => {
  await db.close();
});

const tenantsIn = async (practice: Practice, table: string): Promise<string[]> =>
  (await db.query<{ tenant_id: string }>(practice.id, `SELECT DISTINCT tenant_id::text AS tenant_id FROM ${table}`)).map((r) => r.tenant_id);

describe("a query run for one practice never returns another practice's rows, even without a tenant filter", () => {
  it("SELECT … FROM resource for practice A sees A's patient and not B's", async () => {
    const rows = await db.query<{ tenant_id: string; id: string }>(clinicA.id, 'SELECT tenant_id::text AS tenant_id, id FROM resource');
    expect(rows.map((r) => r.id)).toContain(patientA.id);
    expect(rows.map((r) => r.id)).not.toContain(patientB.id);
    expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([clinicA.id]));
    const byId = await db.query(clinicA.id, 'SELECT id FROM resource WHERE id = $1', [patientB.id]);
    expect(byId).toHaveLength(0);
  });

  it.each(TENANT_TABLES)('%s holds rows of both practices, and each sees only its own', async (table) => {
    const seenByA = await tenantsIn(clinicA, table);
    const seenByB = await tenantsIn(clinicB, table);
    expect(seenByA).toEqual([clinicA.id]);
    expect(seenByB).toEqual([clinicB.id]);
    const all = await db.asOwner((sql) => sql.query<{ n: number }>(`SELECT count(DISTINCT tenant_id)::int AS n FROM ${table} WHERE tenant_id IN ($1, $2)`, [clinicA.id, clinicB.id]));
    expect(all[0]!.n).toBe(2);
  });

  it('index rows of the other practice cannot be found by value', async () => {
    const hits = await db.query(clinicA.id, "SELECT id FROM sp_string WHERE code = 'family' AND value = 'brennan'");
    expect(hits).toHaveLength(0);
    expect(await db.query(clinicB.id, "SELECT id FROM sp_string WHERE code = 'family' AND value = 'brennan'")).toHaveLength(1);
  });

  it("history of the other practice's resource is invisible", async () => {
    expect(await db.query(clinicA.id, 'SELECT version_id FROM resource_history WHERE id = $1', [patientB.id])).toHaveLength(0);
    expect(await db.query(clinicB.id, 'SELECT version_id FROM resource_history WHERE id = $1', [patientB.id])).toHaveLength(2);
  });

  it('the practice table shows a practice only itself', async () => {
    const rows = await db.query<{ id: string }>(clinicA.id, 'SELECT id::text AS id FROM practice');
    expect(rows.map((r) => r.id)).toEqual([clinicA.id]);
  });

  it('a session that names no practice sees no rows at all', async () => {
    const count = await db.transaction(clinicA.id, async (sql) => {
      await sql.query("SELECT set_config('app.tenant', '', true)");
      return sql.query<{ n: number }>('SELECT (SELECT count(*) FROM resource)::int + (SELECT count(*) FROM sp_token)::int AS n');
    });
    expect(count[0]!.n).toBe(0);
  });

  it('interleaved work for two practices on shared connections never crosses over', async () => {
    const runs = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? clinicA : clinicB));
    const results = await Promise.all(
      runs.map((practice, i) =>
        i % 4 < 2
          ? db.query<{ tenant_id: string }>(practice.id, 'SELECT DISTINCT tenant_id::text AS tenant_id FROM resource')
          : db.transaction(practice.id, (sql) => sql.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id::text AS tenant_id FROM sp_token')),
      ),
    );
    results.forEach((rows, i) => expect(rows.map((r) => r.tenant_id)).toEqual([runs[i]!.id]));
  });
});

describe('the database refuses writes across practices', () => {
  const expectRefused = async (work: Promise<unknown>): Promise<void> => {
    await expect(work).rejects.toMatchObject({ code: SqlState.insufficientPrivilege });
  };

  it("inserting a row with B's tenant_id while scoped to A is refused", async () => {
    const id = `forged-${randomUUID().slice(0, 8)}`;
    await expectRefused(
      db.query(clinicA.id, "INSERT INTO resource (tenant_id, resource_type, id, version_id, last_updated, content) VALUES ($1, 'Patient', $2, 1, now(), '{}')", [clinicB.id, id]),
    );
    await expectRefused(db.query(clinicA.id, "INSERT INTO sp_string (tenant_id, resource_type, id, code, value, exact) VALUES ($1, 'Patient', $2, 'family', 'x', 'x')", [clinicB.id, id]));
    await expectRefused(
      db.query(clinicA.id, "INSERT INTO resource_history (tenant_id, resource_type, id, version_id, last_updated, method, content) VALUES ($1, 'Patient', $2, 1, now(), 'create', '{}')", [
        clinicB.id,
        id,
      ]),
    );
    await expectRefused(db.query(clinicA.id, "INSERT INTO practice_setting (tenant_id, key, value) VALUES ($1, 'forged', '1')", [clinicB.id]));
    const owned = await db.asOwner((sql) => sql.query('SELECT 1 FROM resource WHERE id = $1', [id]));
    expect(owned).toHaveLength(0);
  });

  it("moving A's row to B is refused", async () => {
    await expectRefused(db.query(clinicA.id, 'UPDATE resource SET tenant_id = $1 WHERE id = $2', [clinicB.id, patientA.id]));
    await expectRefused(db.query(clinicA.id, 'UPDATE sp_string SET tenant_id = $1 WHERE id = $2', [clinicB.id, patientA.id]));
  });

  it("B's rows cannot be changed or deleted from A: they are not there to touch", async () => {
    expect(await db.query(clinicA.id, "UPDATE resource SET content = '{}' WHERE id = $1 RETURNING id", [patientB.id])).toHaveLength(0);
    expect(await db.query(clinicA.id, 'DELETE FROM sp_token WHERE id = $1 RETURNING id', [patientB.id])).toHaveLength(0);
    const read = await repositoryFor(db, clinicB).reader().readResource('Patient', patientB.id!);
    expect(read.meta?.versionId).toBe('2');
    expect(await db.query(clinicB.id, 'SELECT 1 FROM sp_token WHERE id = $1', [patientB.id])).not.toHaveLength(0);
  });

  it('the application role cannot create practices', async () => {
    await expectRefused(db.query(clinicA.id, "INSERT INTO practice (id, name) VALUES ($1, 'Rogue')", [randomUUID()]));
  });
});

describe('history is append-only for the application', () => {
  it("resource_history rows cannot be updated, even the practice's own", async () => {
    await expect(db.query(clinicA.id, "UPDATE resource_history SET content = '{}' WHERE id = $1", [patientA.id])).rejects.toMatchObject({ code: SqlState.insufficientPrivilege });
  });

  it("resource_history rows cannot be deleted, even the practice's own", async () => {
    await expect(db.query(clinicA.id, 'DELETE FROM resource_history WHERE id = $1', [patientA.id])).rejects.toMatchObject({ code: SqlState.insufficientPrivilege });
    const history = await db.query(clinicA.id, 'SELECT version_id FROM resource_history WHERE id = $1', [patientA.id]);
    expect(history).toHaveLength(1);
  });
});

describe('connections go back to the application role after owner work', () => {
  it('a tenant query after asOwner on the same connection runs as the application role', async () => {
    const url = process.env.TEST_DATABASE_URL;
    const single = url ? new PostgresDatabase(url, 1) : db;
    try {
      await single.asOwner((sql) => sql.query('SELECT count(*) FROM resource'));
      const [who] = await single.query<{ role: string }>(clinicA.id, 'SELECT current_user::text AS role');
      expect(who!.role).toBe(APP_ROLE);
      expect(await single.query(clinicA.id, 'SELECT id FROM resource WHERE id = $1', [patientB.id])).toHaveLength(0);
    } finally {
      if (single !== db) await single.close();
    }
  });

  it('owner work that fails halfway through a transaction leaves no owner session behind', async () => {
    const url = process.env.TEST_DATABASE_URL;
    const single = url ? new PostgresDatabase(url, 1) : db;
    try {
      await single.query(clinicA.id, 'SELECT 1');
      await expect(
        single.asOwner(async (sql) => {
          await sql.exec('BEGIN');
          await sql.query('SELECT count(*) FROM resource');
          throw new Error('owner work failed');
        }),
      ).rejects.toThrow('owner work failed');
      // A tenant transaction that fails rolls back; it must not roll the connection back into the owner role.
      await expect(single.transaction(clinicA.id, (sql) => sql.query('SELECT 1 / 0'))).rejects.toThrow();
      const [who] = await single.query<{ role: string }>(clinicA.id, 'SELECT current_user::text AS role');
      expect(who!.role).toBe(APP_ROLE);
      expect(await single.query(clinicA.id, 'SELECT id FROM resource WHERE id = $1', [patientB.id])).toHaveLength(0);
    } finally {
      if (single !== db) await single.close();
    }
  });
});

describe("the FHIR API of one practice does not know the other practice's resources", () => {
  let serverA: TestServer;
  let serverB: TestServer;
  let foreignId: string;

  beforeAll(async () => {
    serverA = await startTestServer(db);
    serverB = await startTestServer(db);
    const created = await serverB.fhir('POST', 'Patient', patient('Castillo'));
    foreignId = created.body.id;
  });
  afterAll(async () => {
    await serverA.app.close();
    await serverB.app.close();
  });

  it("practice A answers 404 for practice B's patient, as for one that never existed", async () => {
    const read = await serverA.fhir('GET', `Patient/${foreignId}`);
    expect(read.status).toBe(404);
    expect(read.body.issue[0].diagnostics).toBe(`Patient/${foreignId} not found`);
    expect((await serverA.fhir('GET', `Patient/${foreignId}/_history/1`)).status).toBe(404);
    expect((await serverA.fhir('GET', `Patient/${foreignId}/_history`)).status).toBe(404);
    expect((await serverB.fhir('GET', `Patient/${foreignId}`)).status).toBe(200);
  });

  it("practice A's searches and history never list B's patient", async () => {
    const search = await serverA.fhir('GET', 'Patient?identifier=urn:example:mrn|RLS-Castillo');
    expect(search.body.entry).toBeUndefined();
    const history = await serverA.fhir('GET', '_history?_count=1000');
    expect((history.body.entry ?? []).map((e: any) => e.fullUrl)).not.toContain(expect.stringContaining(foreignId));
  });

  it("writes through A with B's id touch only A's record", async () => {
    expect((await serverA.fhir('DELETE', `Patient/${foreignId}`)).status).toBe(204);
    const patch = await serverA.fhir('PATCH', `Patient/${foreignId}`, [{ op: 'replace', path: '/gender', value: 'male' }], { 'content-type': 'application/json-patch+json' });
    expect(patch.status).toBe(404);
    const put = await serverA.fhir('PUT', `Patient/${foreignId}`, { ...patient('Impostor'), id: foreignId });
    expect(put.status).toBe(201);
    const inB = await serverB.fhir('GET', `Patient/${foreignId}`);
    expect(inB.body.name[0].family).toBe('Castillo');
    expect(inB.body.meta.versionId).toBe('1');
  });
});
