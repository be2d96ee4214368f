import { describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

const patient = { resourceType: 'Patient', name: [{ family: 'Nguyen', given: ['Anh'] }], birthDate: '1984-07-14', gender: 'female' };

describe('create and read', () => {
  it('creates with a server id, version 1, ETag and Location, and reads it back', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.meta.versionId).toBe('1');
    expect(created.headers.etag).toBe('W/"1"');
    expect(created.headers.location).toBe(`http://unichart.test/fhir/R4/Patient/${id}/_history/1`);
    const read = await env.server.fhir('GET', `Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers['content-type']).toContain('application/fhir+json');
  });

  it('ignores a client id on create', async () => {
    const created = await env.server.fhir('POST', 'Patient', { ...patient, id: 'chosen-by-client' });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe('chosen-by-client');
  });

  it('answers 404 for a missing id and an unknown type', async () => {
    expect((await env.server.fhir('GET', 'Patient/does-not-exist')).status).toBe(404);
    const unknown = await env.server.fhir('GET', 'Spaceship/1');
    expect(unknown.status).toBe(404);
    expect(unknown.body.resourceType).toBe('OperationOutcome');
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await env.server.fhir('POST', 'Patient', patient, { prefer: 'return=minimal' });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toBeUndefined();
    expect(minimal.headers.location).toBeDefined();
    const outcome = await env.server.fhir('POST', 'Patient', patient, { prefer: 'return=OperationOutcome' });
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    expect(outcome.body.issue[0].severity).toBe('information');
  });

  it('answers a conditional read with 304 when the version is unchanged', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const again = await env.server.fhir('GET', `Patient/${created.body.id}`, undefined, { 'if-none-match': 'W/"1"' });
    expect(again.status).toBe(304);
  });
});

describe('update, optimistic locking and vread', () => {
  it('updates to version 2 and keeps version 1 readable', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const id = created.body.id;
    const updated = await env.server.fhir('PUT', `Patient/${id}`, { ...patient, id, gender: 'other' });
    expect(updated.status).toBe(200);
    expect(updated.body.meta.versionId).toBe('2');
    const v1 = await env.server.fhir('GET', `Patient/${id}/_history/1`);
    expect(v1.body.gender).toBe('female');
    const v2 = await env.server.fhir('GET', `Patient/${id}/_history/2`);
    expect(v2.body.gender).toBe('other');
    expect((await env.server.fhir('GET', `Patient/${id}/_history/3`)).status).toBe(404);
  });

  it('refuses a stale If-Match with 412 and changes nothing', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const id = created.body.id;
    await env.server.fhir('PUT', `Patient/${id}`, { ...patient, id, gender: 'male' }, { 'if-match': 'W/"1"' });
    const stale = await env.server.fhir('PUT', `Patient/${id}`, { ...patient, id, gender: 'unknown' }, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    expect((await env.server.fhir('GET', `Patient/${id}`)).body.gender).toBe('male');
  });

  it('creates on PUT to a new id (update as create)', async () => {
    const put = await env.server.fhir('PUT', 'Patient/client-chosen-1', { ...patient, id: 'client-chosen-1' });
    expect(put.status).toBe(201);
    expect(put.body.meta.versionId).toBe('1');
  });

  it('refuses a body id that differs from the URL', async () => {
    const put = await env.server.fhir('PUT', 'Patient/a-1', { ...patient, id: 'b-2' });
    expect(put.status).toBe(400);
  });

  it('serialises concurrent updates of one resource into consecutive versions', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const id = created.body.id;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => env.server.fhir('PUT', `Patient/${id}`, { ...patient, id, birthDate: `1984-07-${10 + i}` })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const versions = results.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('JSON Patch', () => {
  it('applies operations and bumps the version', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const patched = await env.server.fhir('PATCH', `Patient/${created.body.id}`, [{ op: 'replace', path: '/gender', value: 'male' }, { op: 'add', path: '/active', value: true }], {
      'content-type': 'application/json-patch+json',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.gender).toBe('male');
    expect(patched.body.active).toBe(true);
    expect(patched.body.meta.versionId).toBe('2');
  });

  it('refuses a patch that makes the resource invalid, leaving it unchanged', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const bad = await env.server.fhir('PATCH', `Patient/${created.body.id}`, [{ op: 'replace', path: '/gender', value: 'robot' }], {
      'content-type': 'application/json-patch+json',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0].expression).toEqual(['Patient.gender']);
    expect((await env.server.fhir('GET', `Patient/${created.body.id}`)).body.meta.versionId).toBe('1');
  });

  it('refuses a failing test operation', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const bad = await env.server.fhir('PATCH', `Patient/${created.body.id}`, [{ op: 'test', path: '/gender', value: 'male' }], { 'content-type': 'application/json-patch+json' });
    expect(bad.status).toBe(400);
  });
});

describe('delete', () => {
  it('soft-deletes: reads answer 410, history keeps every version, search no longer finds it', async () => {
    const created = await env.server.fhir('POST', 'Patient', { ...patient, name: [{ family: 'Deletable' }] });
    const id = created.body.id;
    expect((await env.server.fhir('DELETE', `Patient/${id}`)).status).toBe(204);
    expect((await env.server.fhir('GET', `Patient/${id}`)).status).toBe(410);
    const history = await env.server.fhir('GET', `Patient/${id}/_history`);
    expect(history.body.type).toBe('history');
    expect(history.body.entry).toHaveLength(2);
    expect(history.body.entry[0].request.method).toBe('DELETE');
    expect(history.body.entry[0].resource).toBeUndefined();
    expect(history.body.entry[1].resource.name[0].family).toBe('Deletable');
    const search = await env.server.fhir('GET', 'Patient?name=deletable');
    expect(search.body.entry).toBeUndefined();
    expect((await env.server.fhir('DELETE', `Patient/${id}`)).status).toBe(204);
  });

  it('can be undone by an update, which becomes the next version', async () => {
    const created = await env.server.fhir('POST', 'Patient', patient);
    const id = created.body.id;
    await env.server.fhir('DELETE', `Patient/${id}`);
    const restored = await env.server.fhir('PUT', `Patient/${id}`, { ...patient, id });
    expect(restored.status).toBe(201);
    expect(restored.body.meta.versionId).toBe('3');
  });
});

describe('conditional create, update and delete', () => {
  const withMrn = (mrn: string) => ({ ...patient, identifier: [{ system: 'urn:mrn', value: mrn }] });

  it('If-None-Exist returns the existing match instead of creating a second', async () => {
    const first = await env.server.fhir('POST', 'Patient', withMrn('C-1'), { 'if-none-exist': 'identifier=urn:mrn|C-1' });
    expect(first.status).toBe(201);
    const second = await env.server.fhir('POST', 'Patient', withMrn('C-1'), { 'if-none-exist': 'identifier=urn:mrn|C-1' });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
  });

  it('concurrent conditional creates make exactly one resource', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => env.server.fhir('POST', 'Patient', withMrn('C-RACE'), { 'if-none-exist': 'identifier=urn:mrn|C-RACE' })),
    );
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  });

  it('If-None-Exist matching several is a 412', async () => {
    await env.server.fhir('POST', 'Patient', withMrn('C-DUP'));
    await env.server.fhir('POST', 'Patient', withMrn('C-DUP'));
    const third = await env.server.fhir('POST', 'Patient', withMrn('C-DUP'), { 'if-none-exist': 'identifier=urn:mrn|C-DUP' });
    expect(third.status).toBe(412);
  });

  it('conditional update creates when nothing matches, then updates the one match', async () => {
    const created = await env.server.fhir('PUT', 'Patient?identifier=urn:mrn|C-2', withMrn('C-2'));
    expect(created.status).toBe(201);
    const updated = await env.server.fhir('PUT', 'Patient?identifier=urn:mrn|C-2', { ...withMrn('C-2'), gender: 'male' });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.body.meta.versionId).toBe('2');
  });

  it('conditional delete removes the match', async () => {
    const created = await env.server.fhir('POST', 'Patient', withMrn('C-3'));
    expect((await env.server.fhir('DELETE', 'Patient?identifier=urn:mrn|C-3')).status).toBe(204);
    expect((await env.server.fhir('GET', `Patient/${created.body.id}`)).status).toBe(410);
  });
});

describe('history', () => {
  it('type and system history list versions newest first, with _since and _count', async () => {
    const before = new Date().toISOString();
    const a = await env.server.fhir('POST', 'Organization', { resourceType: 'Organization', name: 'History Org A' });
    await env.server.fhir('PUT', `Organization/${a.body.id}`, { resourceType: 'Organization', id: a.body.id, name: 'History Org A2' });
    const typeHistory = await env.server.fhir('GET', `Organization/_history?_since=${before}`);
    expect(typeHistory.body.entry.map((e: any) => e.resource.name)).toEqual(['History Org A2', 'History Org A']);
    const system = await env.server.fhir('GET', `_history?_since=${before}&_count=1`);
    expect(system.body.entry).toHaveLength(1);
    expect(system.body.entry[0].response.etag).toBe('W/"2"');
  });
});

describe("a client's mistakes are 4xx OperationOutcomes that change nothing", () => {
  it('malformed JSON is 400', async () => {
    const response = await env.server.fhir('POST', 'Patient', '{"resourceType": "Patient",');
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });

  it('an invalid resource is 400 naming the path', async () => {
    const response = await env.server.fhir('POST', 'Observation', { resourceType: 'Observation', code: { text: 'x' }, valueString: 7 });
    expect(response.status).toBe(400);
    const paths = response.body.issue.flatMap((i: any) => i.expression ?? []);
    expect(paths).toContain('Observation.status');
  });

  it('an unknown element, a wrong reference target and a wrong code are refused', async () => {
    expect((await env.server.fhir('POST', 'Patient', { resourceType: 'Patient', colour: 'blue' })).body.issue[0].expression).toEqual(['Patient.colour']);
    const wrongTarget = await env.server.fhir('POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Medication/1' } });
    expect(wrongTarget.status).toBe(400);
    expect(wrongTarget.body.issue[0].expression).toEqual(['Observation.subject']);
    const wrongCode = await env.server.fhir('POST', 'Observation', { resourceType: 'Observation', status: 'done', code: { text: 'x' } });
    expect(wrongCode.body.issue[0].expression).toEqual(['Observation.status']);
  });

  it('a bad id or meta is refused', async () => {
    expect((await env.server.fhir('PUT', 'Patient/bad_id!', { resourceType: 'Patient', id: 'bad_id!' })).status).toBe(400);
    expect((await env.server.fhir('POST', 'Patient', { resourceType: 'Patient', meta: { versionId: 3 } })).status).toBe(400);
  });

  it('a body of another type than the URL is 400', async () => {
    expect((await env.server.fhir('POST', 'Patient', { resourceType: 'Observation' })).status).toBe(400);
  });

  it('a wrong method is 405', async () => {
    expect((await env.server.fhir('DELETE', 'metadata')).status).toBe(405);
    expect((await env.server.fhir('POST', 'Patient/123/_history')).status).toBe(405);
  });

  it('an oversize body is 413', async () => {
    const response = await env.server.request({
      method: 'POST',
      url: '/fhir/R4/Patient',
      headers: { 'content-type': 'application/fhir+json' },
      payload: JSON.stringify({ resourceType: 'Patient', name: [{ text: 'x'.repeat(33 * 1024 * 1024) }] }),
    });
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).resourceType).toBe('OperationOutcome');
  });

  it('nothing was written by any refused request', async () => {
    const found = await env.server.fhir('GET', 'Patient?_total=accurate&_summary=count');
    const colour = await env.server.fhir('GET', 'Observation?_summary=count');
    expect(colour.body.total).toBe(0);
    expect(found.body.total).toBeGreaterThan(0);
  });
});

describe('metadata', () => {
  it('lists every R4 resource type with interactions and search parameters', async () => {
    const metadata = await env.server.fhir('GET', 'metadata');
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    expect(metadata.body.fhirVersion).toBe('4.0.1');
    const resources = metadata.body.rest[0].resource;
    expect(resources.length).toBeGreaterThanOrEqual(140);
    const patientCaps = resources.find((r: any) => r.type === 'Patient');
    expect(patientCaps.interaction.map((i: any) => i.code)).toContain('patch');
    expect(patientCaps.searchParam.map((p: any) => p.name)).toEqual(expect.arrayContaining(['name', 'birthdate', 'identifier', '_lastUpdated']));
  });
});
