import { describe, expect, it } from 'vitest';
import { countEntries } from './count-entries.js';

const patient = { resourceType: 'Patient', name: [{ family: 'Okafor' }] };

describe('countEntries', () => {
  it('counts the lines of NDJSON that are not blank', () => {
    expect(countEntries('patients.ndjson', `${JSON.stringify(patient)}\n\n  \n{broken\r\n${JSON.stringify(patient)}\n`)).toBe(3);
  });

  it('counts a transaction Bundle by its entries and a collection by the entries that hold a resource', () => {
    expect(countEntries('t.json', JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{}, {}, {}] }))).toBe(3);
    expect(countEntries('c.json', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }, { fullUrl: 'urn:x' }] }))).toBe(1);
  });

  it('counts a single resource as one entry', () => {
    expect(countEntries('p.json', JSON.stringify(patient))).toBe(1);
  });

  it('counts nothing in a file that is not FHIR JSON', () => {
    expect(countEntries('broken.json', '{"resourceType": "Bundle", "entry": [')).toBe(0);
    expect(countEntries('list.json', '[1, 2]')).toBe(0);
  });
});
