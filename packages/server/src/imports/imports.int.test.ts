import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SearchParameterRegistry } from '@unichart/fhir';
import { FhirRepository } from '../fhir/repository.js';
import { enqueueJob } from '../jobs/job-queue.js';
import { startTestServer, TEST_BASE, useTestServer, type TestServer } from '../test-support/test-database.js';
import { IMPORT_JOB, ImportStore, type ImportView } from './import-store.js';
import { runImport } from './run-import.js';

const UPLOAD_LIMIT = 256 * 1024;
const env = useTestServer({ imports: { uploadLimitBytes: UPLOAD_LIMIT } });

const family = () => `Import${randomUUID().slice(0, 8)}`;
const patient = (name: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', name: [{ family: name }], ...extra });

/** A small Synthea-like transaction: a patient and an observation pointing at it by urn:uuid. */
function patientBundle(name: string): string {
  const fullUrl = `urn:uuid:${randomUUID()}`;
  return JSON.stringify({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl, resource: patient(name, { birthDate: '1980-04-02' }), request: { method: 'POST', url: 'Patient' } },
      {
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8302-2', display: 'Body height' }] },
          subject: { reference: fullUrl },
          valueQuantity: { value: 172, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' },
        },
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  });
}

async function upload(server: TestServer, files: { name: string; content: string }[], token = server.token) {
  const response = await server.request({ method: 'POST', url: '/admin/imports', headers: { authorization: `Bearer ${token}` }, payload: { files } });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

async function importView(server: TestServer, id: string): Promise<ImportView> {
  const response = await server.request({ method: 'GET', url: `/admin/imports/${id}`, headers: { authorization: `Bearer ${server.token}` } });
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body) as ImportView;
}

/** Polls as the screen does, keeping every answer, until the import has finished. */
async function finished(server: TestServer, id: string): Promise<{ final: ImportView; seen: ImportView[] }> {
  const seen: ImportView[] = [];
  for (let i = 0; i < 600; i++) {
    const view = await importView(server, id);
    seen.push(view);
    if (view.status === 'done' || view.status === 'failed') return { final: view, seen };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

async function patientsNamed(server: TestServer, name: string): Promise<number> {
  const found = await server.fhir('GET', `Patient?family=${name}`);
  return found.body.total ?? found.body.entry?.length ?? 0;
}

async function importCount(server: TestServer): Promise<number> {
  const response = await server.request({ method: 'GET', url: '/admin/imports', headers: { authorization: `Bearer ${server.token}` } });
  return (JSON.parse(response.body) as ImportView[]).length;
}

describe('an administrator imports files from the browser', () => {
  it('imports a Bundle and NDJSON in the background, with progress reaching the total, audited as the administrator', async () => {
    const bundleName = family();
    const ndjsonNames = [family(), family(), family()];
    const started = await upload(env.server, [
      { name: 'synthea-patient.json', content: patientBundle(bundleName) },
      { name: 'patients.ndjson', content: ndjsonNames.map((n) => JSON.stringify(patient(n))).join('\n') + '\n' },
    ]);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ entriesTotal: 5, files: [{ name: 'synthea-patient.json', entriesTotal: 2 }, { name: 'patients.ndjson', entriesTotal: 3 }] });

    const { final, seen } = await finished(env.server, started.body.id);
    expect(final).toMatchObject({ status: 'done', entriesTotal: 5, entriesDone: 5, created: 5, updated: 0, failed: 0 });
    expect(final.files.map((f) => [f.name, f.status, f.problems])).toEqual([
      ['synthea-patient.json', 'done', []],
      ['patients.ndjson', 'done', []],
    ]);
    // Progress only grows.
    const done = seen.map((v) => v.entriesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    for (const name of [bundleName, ...ndjsonNames]) expect(await patientsNamed(env.server, name)).toBe(1);

    const found = await env.server.fhir('GET', `Patient?family=${bundleName}`);
    const audit = await env.server.fhir('GET', `AuditEvent?entity=Patient/${found.body.entry[0].resource.id}&action=C`);
    expect(audit.body.entry.map((e: any) => e.resource.agent[0].who?.display ?? e.resource.agent[0].name)).toContain('administrator');

    const listed = await env.server.request({ method: 'GET', url: '/admin/imports', headers: { authorization: `Bearer ${env.server.token}` } });
    const summary = (JSON.parse(listed.body) as ImportView[]).find((v) => v.id === started.body.id)!;
    expect(summary).toMatchObject({ status: 'done', entriesDone: 5, files: [{ problemCount: 0 }, { problemCount: 0 }] });
    expect(summary.files[0]!.problems).toBeUndefined();
  });

  it('reports a bad file entry by entry without stopping the others, and leaves nothing of a refused Bundle', async () => {
    const good = family();
    const halfway = family();
    const started = await upload(env.server, [
      { name: 'broken.json', content: '{"resourceType": "Bundle", "entry": [' },
      {
        name: 'family.json',
        content: JSON.stringify({
          resourceType: 'Bundle',
          type: 'collection',
          entry: [{ resource: patient(halfway) }, { resource: patient(family(), { birthDate: 'last spring' }) }],
        }),
      },
      { name: 'good.ndjson', content: [JSON.stringify(patient(good)), '{"resourceType": "Patient", "gender": "robot"}'].join('\n') },
    ]);
    expect(started.status).toBe(202);

    const { final } = await finished(env.server, started.body.id);
    expect(final).toMatchObject({ status: 'done', entriesTotal: 4, entriesDone: 4, created: 1, failed: 3 });
    const [broken, bundle, ndjson] = final.files;
    expect(broken).toMatchObject({ status: 'failed', entriesTotal: 0, problems: [{ message: expect.stringMatching(/^Not valid JSON/) }] });
    expect(bundle).toMatchObject({ status: 'failed', created: 0, failed: 2, problems: [{ at: 'entry 1', path: expect.stringContaining('Patient.birthDate') }] });
    expect(ndjson).toMatchObject({ status: 'failed', created: 1, failed: 1, problems: [{ at: 'line 2', path: expect.stringContaining('Patient.gender') }] });
    expect(await patientsNamed(env.server, good)).toBe(1);
    // The Bundle's first entry was valid, but a Bundle is written whole or not at all.
    expect(await patientsNamed(env.server, halfway)).toBe(0);
  });

  it('only creates and replaces: a Bundle that would delete or read is refused whole', async () => {
    const kept = family();
    const existing = await env.server.fhir('POST', 'Patient', patient(kept));
    const started = await upload(env.server, [
      {
        name: 'sweep.json',
        content: JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: patient(family()), request: { method: 'POST', url: 'Patient' } },
            { request: { method: 'DELETE', url: `Patient/${existing.body.id}` } },
          ],
        }),
      },
    ]);
    const { final } = await finished(env.server, started.body.id);
    expect(final.files[0]).toMatchObject({ status: 'failed', created: 0, problems: [{ message: expect.stringContaining('only creates (POST) or replaces (PUT)') }] });
    expect(await patientsNamed(env.server, kept)).toBe(1);
  });

  it('shows an import whose job gave up as failed, each unfinished file saying why, its content dropped', async () => {
    const tenantId = env.server.practice.id;
    const store = new ImportStore(env.db);
    // Stored without a nudge (this server's runner only runs when an upload nudges it).
    const id = await store.create(tenantId, { agent: { name: 'Test administrator' } }, [{ name: 'late.ndjson', content: JSON.stringify(patient(family())), entriesTotal: 1 }]);
    await store.abandon(tenantId, id, 'the database refused the connection');
    const view = await importView(env.server, id);
    expect(view).toMatchObject({ status: 'failed', failure: expect.stringContaining('the database refused the connection') });
    expect(view.files[0]).toMatchObject({ status: 'failed', problems: [{ message: expect.stringContaining('could not go on') }] });
    const [file] = await env.db.query(tenantId, 'SELECT content FROM data_import_file WHERE tenant_id = $1 AND import_id = $2', [tenantId, id]);
    expect(file).toEqual({ content: null });
  });

  it('refuses anyone who is not an administrator, and shows them no imports', async () => {
    const clerk = await env.server.signInAs('front-desk');
    const before = await importCount(env.server);
    const refused = await upload(env.server, [{ name: 'p.json', content: JSON.stringify(patient(family())) }], clerk.token);
    expect(refused.status).toBe(403);
    expect(refused.body.issue[0].diagnostics).toMatch(/may not import data/);
    const listed = await env.server.request({ method: 'GET', url: '/admin/imports', headers: { authorization: `Bearer ${clerk.token}` } });
    expect(listed.statusCode).toBe(403);
    expect(await importCount(env.server)).toBe(before);
  });

  it('refuses an upload over the limit with 413, saying the limit', async () => {
    const before = await importCount(env.server);
    const refused = await upload(env.server, [{ name: 'big.ndjson', content: JSON.stringify(patient('x'.repeat(UPLOAD_LIMIT))) }]);
    expect(refused.status).toBe(413);
    expect(refused.body.issue[0].diagnostics).toMatch(/larger than the 0\.25 MB one import takes/);
    expect(await importCount(env.server)).toBe(before);
  });

  it('refuses a malformed upload with a 400 that says what is wrong, and starts nothing', async () => {
    const before = await importCount(env.server);
    const cases: [unknown, RegExp][] = [
      [{}, /at least one file/],
      [{ files: [{ name: 'notes.txt', content: 'hello' }] }, /File 1 must have a name ending in \.json .* or \.ndjson/],
      [{ files: [{ name: 'a.json', content: '{}' }, { name: 'b.json', content: 42 }] }, /File 2 \(b\.json\) must have its text as content/],
      [{ files: [{ name: 'a.json', content: '{}' }, { name: 'a.json', content: '{}' }] }, /Two files are named a\.json/],
    ];
    for (const [payload, message] of cases) {
      const response = await env.server.request({ method: 'POST', url: '/admin/imports', headers: { authorization: `Bearer ${env.server.token}` }, payload: payload as object });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(JSON.parse(response.body).issue[0].diagnostics).toMatch(message);
    }
    const notJson = await env.server.request({
      method: 'POST',
      url: '/admin/imports',
      headers: { authorization: `Bearer ${env.server.token}`, 'content-type': 'application/json' },
      payload: '{"files": [',
    });
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body).issue[0].diagnostics).toMatch(/not valid JSON/);
    expect(await importCount(env.server)).toBe(before);
  });

  it('answers 404 for an import that does not exist', async () => {
    for (const id of [randomUUID(), 'not-an-id']) {
      const response = await env.server.request({ method: 'GET', url: `/admin/imports/${id}`, headers: { authorization: `Bearer ${env.server.token}` } });
      expect(response.statusCode).toBe(404);
    }
  });
});

describe('a restart during an import', () => {
  it('reports the file in hand as interrupted, imports the files not yet started, and shows the import as failed', async () => {
    const { practice } = env.server;
    const importId = randomUUID();
    const waiting = family();
    // What a process that stopped mid-import leaves: the import and its first file running, the job's lease run out.
    await env.db.transaction(practice.id, async (tx) => {
      await tx.query(`INSERT INTO data_import (tenant_id, id, status, started_by, agent, started_at) VALUES ($1, $2, 'running', 'Admin', $3, now())`, [
        practice.id,
        importId,
        JSON.stringify({ name: 'Admin' }),
      ]);
      const files: [string, string, string][] = [
        ['in-hand.json', 'running', JSON.stringify(patient(family()))],
        ['waiting.json', 'waiting', JSON.stringify(patient(waiting))],
      ];
      for (const [position, [name, status, content]] of files.entries()) {
        await tx.query(
          `INSERT INTO data_import_file (tenant_id, import_id, position, name, size_bytes, content, status, entries_total) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)`,
          [practice.id, importId, position, name, content.length, content, status],
        );
      }
      await enqueueJob(tx, practice.id, { kind: IMPORT_JOB, dedupeKey: `${IMPORT_JOB}:${importId}`, payload: { importId }, runAt: new Date() });
      await tx.query(`UPDATE job SET status = 'running', attempts = 1, locked_until = now() - interval '1 second' WHERE tenant_id = $1 AND dedupe_key = $2`, [
        practice.id,
        `${IMPORT_JOB}:${importId}`,
      ]);
    });

    // The server starts again and takes up what was left.
    const restarted = await startTestServer(env.db, { imports: { pollMs: 60_000 } });
    try {
      const { final } = await finished(env.server, importId);
      expect(final.status).toBe('failed');
      expect(final.failure).toMatch(/server stopped during the import/);
      expect(final.files.map((f) => [f.name, f.status])).toEqual([
        ['in-hand.json', 'failed'],
        ['waiting.json', 'done'],
      ]);
      expect(final.files[0]!.problems![0]!.message).toMatch(/server stopped while this file was being imported/);
      expect(await patientsNamed(env.server, waiting)).toBe(1);
    } finally {
      await restarted.app.close();
    }
  });
});

describe('a server stopping between files', () => {
  it('leaves the files not yet started to the job retry, which imports them after the restart', async () => {
    const { practice } = env.server;
    const store = new ImportStore(env.db);
    const names = [family(), family()];
    const importId = await store.create(practice.id, { agent: { name: 'Admin' } }, [
      { name: 'first.json', content: JSON.stringify(patient(names[0]!)), entriesTotal: 1 },
      { name: 'second.json', content: JSON.stringify(patient(names[1]!)), entriesTotal: 1 },
    ]);
    // This test is the job runner: no other runner may take the job meanwhile.
    await env.db.query(practice.id, `UPDATE job SET status = 'running', locked_until = now() + interval '1 hour' WHERE tenant_id = $1 AND dedupe_key = $2`, [
      practice.id,
      `${IMPORT_JOB}:${importId}`,
    ]);
    const job = { tenantId: practice.id, id: randomUUID(), kind: IMPORT_JOB, payload: { importId }, attempts: 1 };
    const deps = {
      db: env.db,
      store,
      repositoryFor: async () => new FhirRepository(env.db, practice.id, SearchParameterRegistry.spec()),
      fhirBaseUrl: TEST_BASE,
      leaseMs: 60_000,
    };

    await expect(runImport(job, { ...deps, stopping: () => true })).rejects.toThrow(/2 file\(s\) .* still to import/);
    expect(await importView(env.server, importId)).toMatchObject({ status: 'running', entriesDone: 0 });

    expect(await runImport({ ...job, attempts: 2 }, { ...deps, stopping: () => false })).toBe('imported');
    const final = await importView(env.server, importId);
    expect(final).toMatchObject({ status: 'done', entriesDone: 2, created: 2, failed: 0 });
    for (const name of names) expect(await patientsNamed(env.server, name)).toBe(1);
  });
});
