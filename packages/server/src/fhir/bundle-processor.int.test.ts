import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { repositoryFor, TEST_BASE, useTestServer } from '../test-support/test-database.js';
import { processBundle } from './bundle-processor.js';

const env = useTestServer();

/** Every story uses identifiers of its own, so stories never see each other's patients. */
const mrn = (): string => `MRN-${randomUUID().slice(0, 8)}`;
const MRN_SYSTEM = 'urn:example:mrn';
const patientWith = (value: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  identifier: [{ system: MRN_SYSTEM, value }],
  name: [{ family: 'Okafor', given: ['Ada'] }],
  ...extra,
});
const observationOf = (subject: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
  subject: { reference: subject },
  valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  ...extra,
});
const urn = (): string => `urn:uuid:${randomUUID()}`;
const transaction = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });
const batch = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'batch', entry });
const post = (resource: Record<string, unknown>, fullUrl?: string, extra: Record<string, unknown> = {}) => ({
  fullUrl,
  resource,
  request: { method: 'POST', url: resource.resourceType, ...extra },
});
const put = (url: string, resource: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ resource, request: { method: 'PUT', url, ...extra } });
const get = (url: string) => ({ request: { method: 'GET', url } });
const del = (url: string) => ({ request: { method: 'DELETE', url } });
const jsonPatch = (url: string, operations: unknown[]) => ({
  resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from(JSON.stringify(operations)).toString('base64') },
  request: { method: 'PATCH', url },
});

async function patientsWith(value: string): Promise<any[]> {
  const found = await env.server.fhir('GET', `Patient?identifier=${MRN_SYSTEM}|${value}`);
  expect(found.status).toBe(200);
  return (found.body.entry ?? []).map((e: any) => e.resource);
}

/** `http://…/Patient/123/_history/1` → `Patient/123`. */
const idFromLocation = (location: string): string => location.replace(`${TEST_BASE}/`, '').replace(/\/_history\/\d+$/, '');

describe('a transaction is all or nothing', () => {
  it('an invalid entry in the middle leaves nothing written', async () => {
    const value = mrn();
    const patientUrl = urn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([
        post(patientWith(value), patientUrl),
        post(observationOf(patientUrl, { status: 'done' })),
        post({ resourceType: 'Organization', name: `Clinic ${value}` }),
      ]),
    );
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].diagnostics).toContain('Bundle entry 1');
    expect(response.body.issue[0].expression).toEqual(['Observation.status']);
    expect(await patientsWith(value)).toHaveLength(0);
    const organizations = await env.server.fhir('GET', `Organization?name:exact=${encodeURIComponent(`Clinic ${value}`)}`);
    expect(organizations.body.entry).toBeUndefined();
  });

  it('a failing entry also undoes updates and deletes made earlier in the same Bundle', async () => {
    const value = mrn();
    const kept = await env.server.fhir('POST', 'Patient', patientWith(value, { gender: 'female' }));
    const removed = await env.server.fhir('POST', 'Patient', patientWith(value, { gender: 'male' }));
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([
        put(`Patient/${kept.body.id}`, { ...patientWith(value, { gender: 'other' }), id: kept.body.id }),
        del(`Patient/${removed.body.id}`),
        get('Patient/no-such-patient'),
      ]),
    );
    expect(response.status).toBe(404);
    const afterwards = await env.server.fhir('GET', `Patient/${kept.body.id}`);
    expect(afterwards.body.gender).toBe('female');
    expect(afterwards.body.meta.versionId).toBe('1');
    expect((await env.server.fhir('GET', `Patient/${removed.body.id}`)).status).toBe(200);
  });
});

describe('entries point at each other by urn:uuid fullUrl', () => {
  it("the created Observation's subject is the created Patient's real id, whatever the entry order", async () => {
    const value = mrn();
    const patientUrl = urn();
    const response = await env.server.fhir('POST', '', transaction([post(observationOf(patientUrl)), post(patientWith(value), patientUrl)]));
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('transaction-response');
    const patientRef = idFromLocation(response.body.entry[1].response.location);
    expect(patientRef).toMatch(/^Patient\/[0-9a-f-]{36}$/);
    const observation = await env.server.fhir('GET', idFromLocation(response.body.entry[0].response.location));
    expect(observation.body.subject.reference).toBe(patientRef);
    const [patient] = await patientsWith(value);
    expect(`Patient/${patient.id}`).toBe(patientRef);
  });

  it('rewrites references inside arrays and nested elements', async () => {
    const patientUrl = urn();
    const first = urn();
    const second = urn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([
        post(patientWith(mrn()), patientUrl),
        post(observationOf(patientUrl), first),
        post(observationOf(patientUrl, { valueQuantity: { value: 80, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } }), second),
        post({ resourceType: 'DiagnosticReport', status: 'final', code: { text: 'Vitals' }, subject: { reference: patientUrl }, result: [{ reference: first }, { reference: second }] }),
      ]),
    );
    expect(response.status).toBe(200);
    const [patientRef, firstRef, secondRef, reportRef] = response.body.entry.map((e: any) => idFromLocation(e.response.location));
    const report = await env.server.fhir('GET', reportRef);
    expect(report.body.subject.reference).toBe(patientRef);
    expect(report.body.result.map((r: any) => r.reference)).toEqual([firstRef, secondRef]);
  });

  it('a resource created by a conditional update can be referenced by its fullUrl', async () => {
    const value = mrn();
    const patientUrl = urn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([{ fullUrl: patientUrl, ...put(`Patient?identifier=${MRN_SYSTEM}|${value}`, patientWith(value)) }, post(observationOf(patientUrl))]),
    );
    expect(response.status).toBe(200);
    expect(response.body.entry[0].response.status).toBe('201 Created');
    const [patient] = await patientsWith(value);
    const observation = await env.server.fhir('GET', idFromLocation(response.body.entry[1].response.location));
    expect(observation.body.subject.reference).toBe(`Patient/${patient.id}`);
    expect((await env.server.fhir('GET', observation.body.subject.reference)).status).toBe(200);
  });

  it('two entries claiming the same fullUrl are refused', async () => {
    const value = mrn();
    const shared = urn();
    const response = await env.server.fhir('POST', '', transaction([post(patientWith(value), shared), post(patientWith(value), shared)]));
    expect(response.status).toBe(400);
    expect(response.body.issue[0].diagnostics).toContain(shared);
    expect(await patientsWith(value)).toHaveLength(0);
  });

  it('two entries writing the same resource are refused', async () => {
    const id = `dup-${randomUUID().slice(0, 8)}`;
    const response = await env.server.fhir('POST', '', transaction([put(`Patient/${id}`, { ...patientWith(mrn()), id }), put(`Patient/${id}`, { ...patientWith(mrn()), id, gender: 'male' })]));
    expect(response.status).toBe(400);
    expect(response.body.issue[0].diagnostics).toContain(`Patient/${id}`);
    expect((await env.server.fhir('GET', `Patient/${id}`)).status).toBe(404);
  });
});

describe('conditional references resolve to exactly one match', () => {
  it('{"reference":"Patient?identifier=sys|val"} becomes the one matching Patient', async () => {
    const value = mrn();
    const patient = await env.server.fhir('POST', 'Patient', patientWith(value));
    const response = await env.server.fhir('POST', '', transaction([post(observationOf(`Patient?identifier=${MRN_SYSTEM}|${value}`))]));
    expect(response.status).toBe(200);
    const observation = await env.server.fhir('GET', idFromLocation(response.body.entry[0].response.location));
    expect(observation.body.subject.reference).toBe(`Patient/${patient.body.id}`);
  });

  it('no match fails the whole transaction with 412', async () => {
    const value = mrn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([post(patientWith(value)), post(observationOf(`Patient?identifier=${MRN_SYSTEM}|${mrn()}`))]),
    );
    expect(response.status).toBe(412);
    expect(response.body.issue[0].diagnostics).toMatch(/matches 0 resources/);
    expect(await patientsWith(value)).toHaveLength(0);
  });

  it('several matches fail the whole transaction with 412', async () => {
    const value = mrn();
    await env.server.fhir('POST', 'Patient', patientWith(value));
    await env.server.fhir('POST', 'Patient', patientWith(value));
    const marker = mrn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([post(patientWith(marker)), post(observationOf(`Patient?identifier=${MRN_SYSTEM}|${value}`))]),
    );
    expect(response.status).toBe(412);
    expect(response.body.issue[0].diagnostics).toMatch(/matches 2 resources/);
    expect(await patientsWith(marker)).toHaveLength(0);
  });

  it('the input Bundle is not changed by resolving its references', async () => {
    const value = mrn();
    await env.server.fhir('POST', 'Patient', patientWith(value));
    const bundle = transaction([post(observationOf(`Patient?identifier=${MRN_SYSTEM}|${value}`))]);
    const before = JSON.stringify(bundle);
    await processBundle(repositoryFor(env.db, env.server.practice), TEST_BASE, bundle, undefined);
    expect(JSON.stringify(bundle)).toBe(before);
  });
});

describe('conditional create inside a transaction (ifNoneExist)', () => {
  it('creates when nothing matches', async () => {
    const value = mrn();
    const response = await env.server.fhir('POST', '', transaction([post(patientWith(value), urn(), { ifNoneExist: `identifier=${MRN_SYSTEM}|${value}` })]));
    expect(response.body.entry[0].response.status).toBe('201 Created');
    expect(await patientsWith(value)).toHaveLength(1);
  });

  it('reuses the existing match, and references to the entry point at it', async () => {
    const value = mrn();
    const existing = await env.server.fhir('POST', 'Patient', patientWith(value));
    const patientUrl = urn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([post(patientWith(value, { gender: 'male' }), patientUrl, { ifNoneExist: `identifier=${MRN_SYSTEM}|${value}` }), post(observationOf(patientUrl))]),
    );
    expect(response.status).toBe(200);
    expect(response.body.entry[0].response.status).toBe('200 OK');
    expect(idFromLocation(response.body.entry[0].response.location)).toBe(`Patient/${existing.body.id}`);
    const patients = await patientsWith(value);
    expect(patients).toHaveLength(1);
    expect(patients[0].gender).toBeUndefined();
    const observation = await env.server.fhir('GET', idFromLocation(response.body.entry[1].response.location));
    expect(observation.body.subject.reference).toBe(`Patient/${existing.body.id}`);
  });

  it('two entries with the same condition make one resource, and references to either entry point at it', async () => {
    const value = mrn();
    const [first, second] = [urn(), urn()];
    const condition = { ifNoneExist: `identifier=${MRN_SYSTEM}|${value}` };
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([post(patientWith(value), first, condition), post(patientWith(value), second, condition), post(observationOf(first)), post(observationOf(second))]),
    );
    expect(response.status).toBe(200);
    expect(response.body.entry.slice(0, 2).map((e: any) => e.response.status)).toEqual(['201 Created', '200 OK']);
    const patients = await patientsWith(value);
    expect(patients).toHaveLength(1);
    for (const entry of response.body.entry.slice(2)) {
      const observation = await env.server.fhir('GET', idFromLocation(entry.response.location));
      expect(observation.body.subject.reference).toBe(`Patient/${patients[0].id}`);
    }
  });

  it('several matches fail the transaction with 412', async () => {
    const value = mrn();
    await env.server.fhir('POST', 'Patient', patientWith(value));
    await env.server.fhir('POST', 'Patient', patientWith(value));
    const response = await env.server.fhir('POST', '', transaction([post(patientWith(value), urn(), { ifNoneExist: `identifier=${MRN_SYSTEM}|${value}` })]));
    expect(response.status).toBe(412);
    expect(await patientsWith(value)).toHaveLength(2);
  });
});

describe('conditional update by URL', () => {
  it('creates when nothing matches, updates the one match, and refuses several', async () => {
    const value = mrn();
    const url = `Patient?identifier=${MRN_SYSTEM}|${value}`;
    const created = await env.server.fhir('POST', '', transaction([put(url, patientWith(value))]));
    expect(created.body.entry[0].response.status).toBe('201 Created');
    const updated = await env.server.fhir('POST', '', transaction([put(url, patientWith(value, { gender: 'female' }))]));
    expect(updated.body.entry[0].response.status).toBe('200 OK');
    expect(updated.body.entry[0].response.etag).toBe('W/"2"');
    expect(idFromLocation(updated.body.entry[0].response.location)).toBe(idFromLocation(created.body.entry[0].response.location));
    const patients = await patientsWith(value);
    expect(patients).toHaveLength(1);
    expect(patients[0].gender).toBe('female');

    await env.server.fhir('POST', 'Patient', patientWith(value));
    const ambiguous = await env.server.fhir('POST', '', transaction([put(url, patientWith(value, { gender: 'male' }))]));
    expect(ambiguous.status).toBe(412);
    expect((await patientsWith(value)).map((p) => p.gender ?? null).sort()).toEqual(['female', null]);
  });
});

describe('processing order: DELETE, then POST, then PUT and PATCH, then GET', () => {
  it('a delete listed last runs first, and a read listed first sees the new state', async () => {
    const value = mrn();
    const old = await env.server.fhir('POST', 'Patient', patientWith(value));
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([get(`Patient?identifier=${MRN_SYSTEM}|${value}`), post(patientWith(value, { gender: 'female' })), del(`Patient?identifier=${MRN_SYSTEM}|${value}`)]),
    );
    expect(response.status).toBe(200);
    const [search, created, deleted] = response.body.entry;
    expect(deleted.response.status).toBe('204 No Content');
    expect(created.response.status).toBe('201 Created');
    expect(search.response.status).toBe('200 OK');
    expect(search.resource.type).toBe('searchset');
    expect(search.resource.entry.map((e: any) => `Patient/${e.resource.id}`)).toEqual([idFromLocation(created.response.location)]);
    expect((await env.server.fhir('GET', `Patient/${old.body.id}`)).status).toBe(410);
  });

  it('creates run before updates, so an If-None-Exist create does not see what a PUT in the same Bundle writes', async () => {
    const value = mrn();
    const id = `order-${randomUUID().slice(0, 8)}`;
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([put(`Patient/${id}`, { ...patientWith(value), id }), post(patientWith(value), undefined, { ifNoneExist: `identifier=${MRN_SYSTEM}|${value}` })]),
    );
    expect(response.body.entry.map((e: any) => e.response.status)).toEqual(['201 Created', '201 Created']);
    expect(await patientsWith(value)).toHaveLength(2);
  });

  it('responses come back in the order of the request entries', async () => {
    const id = `order-${randomUUID().slice(0, 8)}`;
    const response = await env.server.fhir('POST', '', transaction([get(`Patient/${id}`), put(`Patient/${id}`, { ...patientWith(mrn()), id })]));
    expect(response.status).toBe(200);
    expect(response.body.entry[0].resource.id).toBe(id);
    expect(response.body.entry[0].response.status).toBe('200 OK');
    expect(response.body.entry[1].response.status).toBe('201 Created');
  });
});

describe('PATCH entries carry a JSON Patch in a Binary', () => {
  it('applies the base64 JSON Patch and bumps the version', async () => {
    const created = await env.server.fhir('POST', 'Patient', patientWith(mrn(), { gender: 'female' }));
    const response = await env.server.fhir('POST', '', transaction([jsonPatch(`Patient/${created.body.id}`, [{ op: 'replace', path: '/gender', value: 'male' }, { op: 'add', path: '/active', value: true }])]));
    expect(response.status).toBe(200);
    expect(response.body.entry[0].response.status).toBe('200 OK');
    expect(response.body.entry[0].response.etag).toBe('W/"2"');
    const read = await env.server.fhir('GET', `Patient/${created.body.id}`);
    expect(read.body.gender).toBe('male');
    expect(read.body.active).toBe(true);
  });

  it('a Binary whose data is not JSON is a 400 naming the entry, not a server error', async () => {
    const created = await env.server.fhir('POST', 'Patient', patientWith(mrn(), { gender: 'female' }));
    const entry = {
      resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: Buffer.from('not json').toString('base64') },
      request: { method: 'PATCH', url: `Patient/${created.body.id}` },
    };
    const inTransaction = await env.server.fhir('POST', '', transaction([entry]));
    expect(inTransaction.status).toBe(400);
    expect(inTransaction.body.issue[0].diagnostics).toContain('Bundle entry 0');
    const inBatch = await env.server.fhir('POST', '', batch([entry]));
    expect(inBatch.status).toBe(200);
    expect(inBatch.body.entry[0].response.status).toMatch(/^400/);
    expect((await env.server.fhir('GET', `Patient/${created.body.id}`)).body.meta.versionId).toBe('1');
  });
});

describe('a batch runs every entry on its own', () => {
  it('one failing entry does not stop the others and gets its own OperationOutcome', async () => {
    const value = mrn();
    const response = await env.server.fhir(
      'POST',
      '',
      batch([post(patientWith(value)), post(observationOf('Patient/whatever', { status: 'done' })), get('Patient/no-such-patient'), post(patientWith(value))]),
    );
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('batch-response');
    const statuses = response.body.entry.map((e: any) => e.response.status);
    expect(statuses).toEqual(['201 Created', '400', '404', '201 Created']);
    expect(response.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
    expect(response.body.entry[1].response.outcome.issue[0].expression).toEqual(['Observation.status']);
    expect(response.body.entry[2].response.outcome.issue[0].code).toBe('not-found');
    expect(response.body.entry[1].resource).toBeUndefined();
    expect(await patientsWith(value)).toHaveLength(2);
  });
});

describe('the response Bundle', () => {
  it('has status strings, locations, etags and the written resource', async () => {
    const existing = await env.server.fhir('POST', 'Patient', patientWith(mrn()));
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([post(patientWith(mrn())), put(`Patient/${existing.body.id}`, { ...patientWith(mrn()), id: existing.body.id }), del(`Patient/${existing.body.id}-gone`)]),
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/fhir+json');
    const [created, updated, deleted] = response.body.entry;
    expect(created.response.status).toBe('201 Created');
    expect(created.response.location).toBe(`${TEST_BASE}/Patient/${created.resource.id}/_history/1`);
    expect(created.response.etag).toBe('W/"1"');
    expect(Number.isNaN(Date.parse(created.response.lastModified))).toBe(false);
    expect(created.fullUrl).toBe(`${TEST_BASE}/Patient/${created.resource.id}`);
    expect(created.resource.meta.versionId).toBe('1');
    expect(updated.response.status).toBe('200 OK');
    expect(updated.response.location).toBe(`${TEST_BASE}/Patient/${existing.body.id}/_history/2`);
    expect(updated.response.etag).toBe('W/"2"');
    expect(updated.resource.meta.versionId).toBe('2');
    expect(deleted.response.status).toBe('204 No Content');
    expect(deleted.resource).toBeUndefined();
  });

  it('Prefer: return=minimal leaves the resources out but keeps location and etag', async () => {
    const response = await env.server.fhir('POST', '', transaction([post(patientWith(mrn()))]), { prefer: 'return=minimal' });
    expect(response.status).toBe(200);
    const [entry] = response.body.entry;
    expect(entry.resource).toBeUndefined();
    expect(entry.response.status).toBe('201 Created');
    expect(entry.response.location).toMatch(new RegExp(`^${TEST_BASE}/Patient/[0-9a-f-]{36}/_history/1$`));
    expect(entry.response.etag).toBe('W/"1"');
    const batchResponse = await env.server.fhir('POST', '', batch([post(patientWith(mrn()))]), { prefer: 'return=minimal' });
    expect(batchResponse.body.entry[0].resource).toBeUndefined();
    expect(batchResponse.body.entry[0].response.location).toBeDefined();
  });

  it('Prefer: return=OperationOutcome puts an outcome in each entry', async () => {
    const response = await env.server.fhir('POST', '', transaction([post(patientWith(mrn()))]), { prefer: 'return=OperationOutcome' });
    expect(response.body.entry[0].resource).toBeUndefined();
    expect(response.body.entry[0].response.outcome.issue[0].severity).toBe('information');
  });

  it('an absolute request URL on this server is the same as a relative one', async () => {
    const existing = await env.server.fhir('POST', 'Patient', patientWith(mrn()));
    const response = await env.server.fhir('POST', '', batch([get(`${TEST_BASE}/Patient/${existing.body.id}`), get(`http://elsewhere.example/fhir/Patient/${existing.body.id}`)]));
    expect(response.body.entry[0].response.status).toBe('200 OK');
    expect(response.body.entry[0].resource.id).toBe(existing.body.id);
    expect(response.body.entry[1].response.status).toMatch(/^400/);
  });
});

describe('a bad Bundle is 400 and writes nothing', () => {
  const cases: [string, (value: string) => unknown][] = [
    ['a resource that is not a Bundle', (value) => patientWith(value)],
    ['a Bundle of type collection', (value) => ({ resourceType: 'Bundle', type: 'collection', entry: [post(patientWith(value))] })],
    ['a Bundle without a type', (value) => ({ resourceType: 'Bundle', entry: [post(patientWith(value))] })],
    ['an entry without request', (value) => transaction([post(patientWith(value)), { resource: patientWith(value) }])],
    ['a batch entry without request', (value) => batch([post(patientWith(value)), { resource: patientWith(value) }])],
    ['an entry without request.url', (value) => transaction([post(patientWith(value)), { resource: patientWith(value), request: { method: 'POST' } }])],
    ['an unknown method', (value) => transaction([post(patientWith(value)), { resource: patientWith(value), request: { method: 'MERGE', url: 'Patient' } }])],
    ['entry that is not an array', (value) => ({ resourceType: 'Bundle', type: 'transaction', entry: post(patientWith(value)) })],
  ];
  for (const [name, build] of cases) {
    it(name, async () => {
      const value = mrn();
      const response = await env.server.fhir('POST', '', build(value));
      expect(response.status).toBe(400);
      expect(response.body.resourceType).toBe('OperationOutcome');
      expect(response.body.issue[0].diagnostics).toBeTruthy();
      expect(await patientsWith(value)).toHaveLength(0);
    });
  }

  it('an operation inside a Bundle is refused with a message that says so', async () => {
    const value = mrn();
    const response = await env.server.fhir(
      'POST',
      '',
      transaction([post(patientWith(value)), { fullUrl: urn(), resource: { resourceType: 'Parameters' }, request: { method: 'POST', url: 'ValueSet/$lookup' } }]),
    );
    expect(response.status).toBe(400);
    expect(response.body.issue[0].diagnostics).toMatch(/Bundle entry 1 \(POST ValueSet\/\$lookup\).*not supported/);
    expect(await patientsWith(value)).toHaveLength(0);
  });
});
