import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { parseSearchRequest } from '@unichart/fhir';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { newPractice, openTestDatabase, repositoryFor, SHARED_DATA, TEST_BASE } from '../../test-support/test-database.js';
import type { FhirRepository } from '../repository.js';
import { importFiles, type ImportReport } from './import-files.js';
import { medicalRecordNumberSystem } from '../medical-record-number.js';

let db: Database;
let scratch: string;

beforeAll(async () => {
  db = await openTestDatabase();
  scratch = await mkdtemp(join(tmpdir(), 'unichart-import-'));
});
afterAll(async () => {
  await db.close();
  await rm(scratch, { recursive: true, force: true });
});

async function freshRepository(): Promise<FhirRepository> {
  return repositoryFor(db, await newPractice(db));
}

async function writeFiles(folder: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, folder);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function familyNames(repo: FhirRepository): Promise<string[]> {
  const result = await repo.reader().search(parseSearchRequest('Patient', new URLSearchParams('_count=100')));
  return result.matches.map((m) => (JSON.parse(m.content) as { name?: { family?: string }[] }).name?.[0]?.family ?? '').sort();
}

const patient = (family: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', name: [{ family }], ...extra });

describe('NDJSON', () => {
  it('one line that is not JSON is reported by its line number and every other line imports', async () => {
    const repo = await freshRepository();
    const dir = await writeFiles('ndjson-bad-json', {
      'patients.ndjson': [patient('Adams'), patient('Baker'), '{"resourceType": "Patient", "name": [', patient('Clark'), '', patient('Dubois')]
        .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
        .join('\n'),
    });
    const report = await importFiles(repo, TEST_BASE, [dir]);
    expect(report.resources).toBe(4);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ file: join(dir, 'patients.ndjson'), at: 'line 3' });
    expect(report.problems[0]!.message).toMatch(/^Not valid JSON/);
    expect(await familyNames(repo)).toEqual(['Adams', 'Baker', 'Clark', 'Dubois']);
  });

  it('one invalid resource is reported by its line number and every other line of its chunk imports', async () => {
    const repo = await freshRepository();
    const lines = [patient('Evans'), patient('Fischer', { gender: 'robot' }), patient('Garcia'), 42, patient('Hughes', { id: 'hughes-1' })];
    const dir = await writeFiles('ndjson-bad-resource', { 'patients.ndjson': lines.map((l) => JSON.stringify(l)).join('\n') });
    const report = await importFiles(repo, TEST_BASE, [dir]);
    expect(report.problems.map((p) => p.at)).toEqual(['line 2', 'line 4']);
    expect(report.problems[0]!.path).toContain('Patient.gender');
    expect(report.problems[1]!.message).toMatch(/Not a FHIR resource/);
    expect(report.resources).toBe(3);
    expect(report.failedFiles).toBe(1);
    expect(await familyNames(repo)).toEqual(['Evans', 'Garcia', 'Hughes']);
    expect((await repo.reader().readResource('Patient', 'hughes-1')).meta?.versionId).toBe('1');
  });
});

describe('JSON files', () => {
  it('a file of invalid JSON is reported and the other files still import', async () => {
    const repo = await freshRepository();
    const dir = await writeFiles('json-broken', {
      'a.json': JSON.stringify(patient('Ito')),
      'b.json': '{"resourceType": "Patient",',
      'c.json': JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient('Jones') }, { resource: patient('Kim') }] }),
      'notes.txt': 'not imported: neither .json nor .ndjson',
    });
    const report = await importFiles(repo, TEST_BASE, [dir]);
    expect(report).toMatchObject({ files: 3, failedFiles: 1, resources: 3 });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.file).toBe(join(dir, 'b.json'));
    expect(report.problems[0]!.message).toMatch(/^Not valid JSON/);
    expect(await familyNames(repo)).toEqual(['Ito', 'Jones', 'Kim']);
  });

  it('a Bundle with one invalid resource leaves nothing of that file half-written', async () => {
    const repo = await freshRepository();
    const dir = await writeFiles('json-half', {
      'family.json': JSON.stringify({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: patient('Lopez') }, { resource: patient('Müller') }, { resource: patient('Nakamura', { birthDate: 'last spring' }) }],
      }),
      'other.json': JSON.stringify(patient('Olsen')),
    });
    const report = await importFiles(repo, TEST_BASE, [dir]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]!.file).toBe(join(dir, 'family.json'));
    expect(report.problems[0]).toMatchObject({ at: 'entry 2', message: expect.stringContaining('Bundle entry 2'), path: expect.stringContaining('Patient.birthDate') });
    expect(await familyNames(repo)).toEqual(['Olsen']);
  });

  it('a batch file reports each refused entry and keeps the others', async () => {
    const repo = await freshRepository();
    const dir = await writeFiles('json-batch', {
      'batch.json': JSON.stringify({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: patient('Perez'), request: { method: 'POST', url: 'Patient' } },
          { resource: patient('Quinn', { gender: 'robot' }), request: { method: 'POST', url: 'Patient' } },
          { resource: patient('Rossi'), request: { method: 'POST', url: 'Patient' } },
        ],
      }),
    });
    const report = await importFiles(repo, TEST_BASE, [dir]);
    expect(report.resources).toBe(2);
    expect(report.problems).toEqual([{ file: join(dir, 'batch.json'), at: 'entry 1', path: expect.stringContaining('Patient.gender'), message: expect.any(String) }]);
    expect(await familyNames(repo)).toEqual(['Perez', 'Rossi']);
  });

  it('JSON that is not a FHIR resource, and a path that does not exist, are reported', async () => {
    const repo = await freshRepository();
    const dir = await writeFiles('json-not-fhir', { 'list.json': '[1, 2, 3]', 'plain.json': '{"name": "x"}' });
    const missing = join(scratch, 'no-such-folder');
    const report = await importFiles(repo, TEST_BASE, [dir, missing]);
    expect(report).toMatchObject({ files: 3, failedFiles: 3, resources: 0 });
    expect(report.problems.map((p) => [p.file, p.message.split(':')[0]])).toEqual([
      [missing, 'Cannot read'],
      [join(dir, 'list.json'), 'Not a FHIR resource'],
      [join(dir, 'plain.json'), 'Not a FHIR resource'],
    ]);
  });
});

const SYNTHEA = join(SHARED_DATA, 'synthea');
const EXAMPLES = join(SHARED_DATA, 'fhir-examples');

/** The two examples that cannot import on their own, and why (see the test below). */
const KNOWN_REFUSED: Record<string, RegExp> = {
  // Transaction operations against data that does not exist here: a POST to ValueSet/$lookup,
  // an ifMatch on a missing version, a GET of a missing Patient.
  'bundle-transaction.json': /^Bundle entry \d+ \((POST ValueSet\/\$lookup|PUT Patient\/123a|GET Patient\/12334)\): .+/,
  // R4 itself says dispenseRequest.performer is Reference(Organization); the example points at a Practitioner.
  'medicationrequest0301.json': /Practitioner is not allowed here \(allowed: Organization\) at MedicationRequest\.dispenseRequest\.performer/,
};

interface Committed {
  readonly request: Bundle;
  readonly response: Bundle;
}

describe.skipIf(!existsSync(SYNTHEA) || !existsSync(EXAMPLES))('every FHIR example and every Synthea patient in ../shared/data', () => {
  let repo: FhirRepository;
  let report: ImportReport;
  const committed = new Map<string, Committed[]>();
  let files: string[];
  let seconds: number;

  beforeAll(async () => {
    repo = await freshRepository();
    files = [
      ...(await readdir(SYNTHEA)).filter((f) => f.endsWith('.json')).map((f) => join(SYNTHEA, f)),
      ...(await readdir(EXAMPLES)).filter((f) => f.endsWith('.json')).map((f) => join(EXAMPLES, f)),
    ];
    const started = performance.now();
    report = await importFiles(repo, TEST_BASE, [SYNTHEA, EXAMPLES], {
      onCommitted: (file, request, response) => committed.set(file, [...(committed.get(file) ?? []), { request, response }]),
    });
    seconds = (performance.now() - started) / 1000;
    console.info(`import: ${report.resources} resources from ${report.files} files in ${seconds.toFixed(1)} s (${Math.round(report.resources / seconds)}/s, ${db.kind})`);
  });

  it('imports every file except the two known to be unimportable, which are reported with clear per-file messages', () => {
    expect(files.length).toBeGreaterThanOrEqual(98);
    expect(report.files).toBe(files.length);
    const refused = Object.fromEntries(report.problems.map((p) => [p.file.split('/').pop(), p.path ? `${p.message} at ${p.path}` : p.message]));
    expect(Object.keys(refused).sort()).toEqual(Object.keys(KNOWN_REFUSED).sort());
    for (const [name, pattern] of Object.entries(KNOWN_REFUSED)) expect(refused[name]).toMatch(pattern);
    expect(report.failedFiles).toBe(2);
    const imported = files.filter((f) => !(f.split('/').pop()! in KNOWN_REFUSED));
    expect([...committed.keys()].sort()).toEqual(imported.sort());
    expect(report.resources).toBe([...committed.values()].flat().reduce((n, c) => n + (c.response.entry?.length ?? 0), 0));
    expect(report.resources).toBeGreaterThan(3000);
  });

  it('a refused file wrote nothing, not even the entries before the failing one', async () => {
    // bundle-transaction.json creates a Patient with identifier 234234, updates one by 456456
    // and writes Patient/123 before it reaches the entries that fail.
    for (const value of ['234234', '456456']) {
      const result = await repo.reader().search(parseSearchRequest('Patient', new URLSearchParams({ identifier: `http:/example.org/fhir/ids|${value}` })));
      expect(result.matches, value).toHaveLength(0);
    }
    await expect(repo.reader().read('Patient', '123')).rejects.toMatchObject({ status: 404 });
    await expect(repo.reader().read('MedicationRequest', 'medrx0301')).rejects.toMatchObject({ status: 404 });
  });

  it('each resource reads back equal to what was written, apart from meta and with urn:uuid references made real', async () => {
    let compared = 0;
    for (const file of files) {
      const batches = committed.get(file);
      if (!batches) continue;
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Resource;
      const input = entriesOf(parsed);
      // Only a transaction or batch file says how to write (a POST gets a server id); anything else keeps its ids.
      const keepsIds = !(parsed.resourceType === 'Bundle' && (parsed.type === 'transaction' || parsed.type === 'batch'));
      const written = batches.flatMap((b) => b.response.entry ?? []);
      expect(written, file).toHaveLength(input.length);
      // Every fullUrl in the file names the resource the server stored for that entry.
      const stored = written.map((e) => e.response!.location!.replace(`${TEST_BASE}/`, '').replace(/\/_history\/\d+$/, ''));
      const refs = new Map(input.flatMap((e, i) => (e.fullUrl ? [[e.fullUrl, stored[i]!] as const] : [])));
      for (const [i, entry] of input.entries()) {
        const [type, id] = stored[i]!.split('/') as [string, string];
        expect(type, file).toBe(entry.resource.resourceType);
        if (keepsIds && entry.resource.id) expect(id, file).toBe(entry.resource.id);
        const actual = withoutAssignedNumber(await repo.reader().readResource(type, id), repo.tenantId);
        expect(withoutVersionMeta(actual), `${file} entry ${i}`).toEqual(withoutVersionMeta(expectedFrom(entry.resource, id, refs)));
        compared++;
      }
    }
    expect(compared).toBe(report.resources);
  });

  it('a Synthea Observation points at its Patient by the id the server gave it', async () => {
    const [file] = files.filter((f) => f.startsWith(SYNTHEA));
    const [{ response }] = committed.get(file!)! as [Committed];
    const locations = response.entry!.map((e) => e.response!.location!);
    const patientRef = locations.find((l) => l.includes('/Patient/'))!.replace(`${TEST_BASE}/`, '').replace(/\/_history\/\d+$/, '');
    const observationId = locations.find((l) => l.includes('/Observation/'))!.split('/').at(-3)!;
    const observation = await repo.reader().readResource<{ subject?: { reference?: string } } & Resource>('Observation', observationId);
    expect(observation.subject?.reference).toBe(patientRef);
    await expect(repo.reader().read('Patient', patientRef.split('/')[1]!)).resolves.toBeDefined();
  });
});

/** Every Patient gains the practice's medical record number, first among its identifiers. */
function withoutAssignedNumber(resource: Resource, tenantId: string): Resource {
  if (resource.resourceType !== 'Patient') return resource;
  const [mrn, ...others] = resource.identifier!;
  expect(mrn!.system).toBe(medicalRecordNumberSystem(tenantId));
  const rest: Resource = { ...resource, identifier: others };
  if (others.length === 0) delete rest.identifier;
  return rest;
}

/** The resources a file holds, in the order the import writes them. */
function entriesOf(parsed: Resource): { fullUrl?: string; resource: Resource }[] {
  if (parsed.resourceType === 'Bundle' && parsed.type !== 'document' && parsed.type !== 'message') {
    return (parsed.entry ?? []).filter((e) => e.resource).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource! }));
  }
  return [{ resource: parsed }];
}

/** The input as it should be stored: its new id, and references to other entries' fullUrls rewritten. */
function expectedFrom(resource: Resource, id: string, refs: Map<string, string>): Resource {
  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') return key === 'reference' ? (refs.get(value) ?? value) : value;
    if (Array.isArray(value)) return value.map((v) => rewrite(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, k)]));
    return value;
  };
  return { ...(rewrite(resource) as Resource), id };
}

/** meta without the two elements the server owns; the rest (profile, tag, security) must survive. */
function withoutVersionMeta(resource: Resource): Resource {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta ?? {};
  return (Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest) as Resource;
}
