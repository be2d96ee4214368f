import { beforeAll, describe, expect, it } from 'vitest';
import type { FhirCall } from '../test-support/test-database.js';
import { useTestServer } from '../test-support/test-database.js';
import { SSN_SYSTEM } from './sensitive-identifiers.js';

const env = useTestServer();
const LICENCE_SYSTEM = 'urn:oid:2.16.840.1.113883.4.3.25';
let physician: FhirCall;
let nurse: FhirCall;
let patientId: string;

const storedText = async (sql: string) =>
  JSON.stringify(await env.db.query(env.server.practice.id, sql, [env.server.practice.id]));
// The plain numbers in every form they were typed; short fragments would also match random ids.
const PLAIN_NUMBERS = ['123-45-6789', '123456789', 'S1234567', '987-65-4321', '987654321'];
const expectNoPlainNumbers = (text: string) => {
  for (const plain of PLAIN_NUMBERS) expect(text).not.toContain(plain);
};
const valueOf = (resource: { identifier?: { system?: string; value?: string }[] }, system: string) => resource.identifier?.find((i) => i.system === system)?.value;

beforeAll(async () => {
  physician = (await env.server.signInAs('physician')).fhir;
  nurse = (await env.server.signInAs('nurse')).fhir;
  const created = await env.server.fhir('POST', 'Patient', {
    resourceType: 'Patient',
    name: [{ family: 'Secret', given: ['Sam'] }],
    identifier: [
      { system: SSN_SYSTEM, value: '123-45-6789' },
      { system: LICENCE_SYSTEM, value: 'S1234567', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'DL' }] } },
    ],
  });
  expect(created.status).toBe(201);
  patientId = created.body.id;
  // The administrator (sensitiveIdentifiers) gets the numbers back in the create response.
  expect(valueOf(created.body, SSN_SYSTEM)).toBe('123-45-6789');
});

describe('sensitive identifiers on Patient and RelatedPerson', () => {
  it('are encrypted in the record, its history and the search index', async () => {
    for (const table of ['resource', 'resource_history', 'sp_token']) {
      const text = await storedText(`SELECT * FROM ${table} WHERE tenant_id = $1`);
      expectNoPlainNumbers(text);
    }
    expect(await storedText("SELECT content FROM resource WHERE tenant_id = $1 AND resource_type = 'Patient'")).toContain('enc:v1:');
  });

  it('are shown in full to roles that need them and masked to the others, in reads, searches and history', async () => {
    const full = await physician('GET', `Patient/${patientId}`);
    expect(valueOf(full.body, SSN_SYSTEM)).toBe('123-45-6789');
    expect(valueOf(full.body, LICENCE_SYSTEM)).toBe('S1234567');
    expect(JSON.stringify(full.body)).not.toContain('encrypted-value');

    const masked = await nurse('GET', `Patient/${patientId}`);
    expect(valueOf(masked.body, SSN_SYSTEM)).toBe('***-**-6789');
    expect(valueOf(masked.body, LICENCE_SYSTEM)).toBe('****4567');
    for (const path of [`Patient?_id=${patientId}`, `Patient/${patientId}/_history`, `Patient/${patientId}/_history/1`, 'Patient/_history']) {
      const text = JSON.stringify((await nurse('GET', path)).body);
      expect(text, path).toContain('***-**-6789');
      expect(text, path).not.toContain('123-45-6789');
      expect(text, path).not.toContain('enc:v1');
      expect(text, path).not.toContain('hmac:');
    }
    const roles = (await env.server.request({ method: 'GET', url: '/admin/roles', headers: { authorization: `Bearer ${env.server.token}` } })).json() as { code: string; policy: { sensitiveIdentifiers?: boolean } }[];
    expect(roles.filter((r) => r.policy.sensitiveIdentifiers).map((r) => r.code).sort()).toEqual(['administrator', 'front-desk', 'physician']);
  });

  it('are found by exact value, however the number is typed', async () => {
    for (const value of ['123-45-6789', '123456789']) {
      const found = await nurse('GET', `Patient?identifier=${encodeURIComponent(`${SSN_SYSTEM}|${value}`)}`);
      expect(found.body.entry?.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([patientId]);
      expect(valueOf(found.body.entry[0].resource, SSN_SYSTEM)).toBe('***-**-6789');
    }
    expect((await nurse('GET', `Patient?identifier=${encodeURIComponent(`${LICENCE_SYSTEM}|S1234567`)}`)).body.entry).toHaveLength(1);
    expect((await nurse('GET', `Patient?identifier=${encodeURIComponent(`${SSN_SYSTEM}|123456780`)}`)).body.entry).toBeUndefined();
    // A conditional create finds the existing patient by SSN rather than making a duplicate.
    const again = await env.server.fhir('POST', 'Patient', { resourceType: 'Patient', identifier: [{ system: SSN_SYSTEM, value: '123456789' }] }, { 'if-none-exist': `identifier=${SSN_SYSTEM}|123-45-6789` });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(patientId);
  });

  it('still count as a shared identifier when registration looks for duplicates', async () => {
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: 'Nobody' }], identifier: [{ system: SSN_SYSTEM, value: '123456789' }] } }] };
    const matched = await env.server.fhir('POST', 'Patient/$match', body);
    expect(matched.status).toBe(200);
    const reasons = JSON.stringify(matched.body.entry?.[0]?.search);
    expect(reasons).toContain('same identifier');
    expect(JSON.stringify(matched.body)).toContain('123-45-6789');
  });

  it('keep the stored number when someone who saw it masked saves the record', async () => {
    const masked = (await nurse('GET', `Patient/${patientId}`)).body;
    const saved = await nurse('PUT', `Patient/${patientId}`, { ...masked, name: [{ family: 'Secret', given: ['Samuel'] }] });
    expect(saved.status).toBe(200);
    expect(valueOf(saved.body, SSN_SYSTEM)).toBe('***-**-6789');
    const full = (await physician('GET', `Patient/${patientId}`)).body;
    expect(full.name[0].given).toEqual(['Samuel']);
    expect(valueOf(full, SSN_SYSTEM)).toBe('123-45-6789');
    // A JSON Patch on the stored form changes the name and leaves the number encrypted.
    const patched = await physician('PATCH', `Patient/${patientId}`, [{ op: 'replace', path: '/name/0/family', value: 'Secrest' }], { 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(200);
    expect(valueOf(patched.body, SSN_SYSTEM)).toBe('123-45-6789');
    expectNoPlainNumbers(await storedText('SELECT content FROM resource_history WHERE tenant_id = $1'));
  });

  it('protect RelatedPersons and Bundle entries the same way', async () => {
    const bundle = await env.server.fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          request: { method: 'POST', url: 'RelatedPerson' },
          resource: { resourceType: 'RelatedPerson', patient: { reference: `Patient/${patientId}` }, identifier: [{ system: SSN_SYSTEM, value: '987-65-4321' }] },
        },
      ],
    });
    expect(bundle.status).toBe(200);
    expectNoPlainNumbers(await storedText("SELECT content FROM resource WHERE tenant_id = $1 AND resource_type = 'RelatedPerson'"));
    const seen = await nurse('GET', `RelatedPerson?identifier=${encodeURIComponent(`${SSN_SYSTEM}|987654321`)}`);
    expect(valueOf(seen.body.entry[0].resource, SSN_SYSTEM)).toBe('***-**-4321');
  });
});
