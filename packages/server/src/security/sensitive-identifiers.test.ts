import { randomBytes } from 'node:crypto';
import { parseSearchRequest } from '@unichart/fhir';
import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FieldEncryption } from './field-encryption.js';
import { ENCRYPTED_VALUE_URL, maskIdentifier, SensitiveIdentifiers, SSN_SYSTEM } from './sensitive-identifiers.js';

const oldKey = { id: 'old', key: randomBytes(32) };
const newKey = { id: 'new', key: randomBytes(32) };
const indexKey = randomBytes(32);
const patient: Patient = {
  resourceType: 'Patient',
  identifier: [
    { system: 'urn:mrn', value: 'MRN-1' },
    { system: SSN_SYSTEM, value: '123-45-6789' },
    { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'DL' }] }, system: 'urn:oid:2.16.840.1.113883.4.3.25', value: 'S123 4567' },
  ],
};

describe('sensitive identifiers', () => {
  const protector = new SensitiveIdentifiers(new FieldEncryption([oldKey]), indexKey);

  it('stores a keyed hash and the ciphertext, never the number, and leaves other identifiers alone', () => {
    const stored = protector.protect(patient);
    const text = JSON.stringify(stored);
    for (const plain of ['123-45-6789', '123456789', 'S123 4567', 'S1234567']) expect(text).not.toContain(plain);
    expect(stored.identifier![0]).toEqual({ system: 'urn:mrn', value: 'MRN-1' });
    expect(stored.identifier![1]!.value).toBe(protector.token(SSN_SYSTEM, '123456789'));
    expect(stored.identifier![1]!.extension![0]!.url).toBe(ENCRYPTED_VALUE_URL);
    // Storing the storage form again changes nothing (a JSON Patch of the stored resource).
    expect(protector.protect(stored)).toEqual(stored);
  });

  it('gives the number back in full or masked, and leaves bodies without one untouched', () => {
    const stored = JSON.stringify(protector.protect(patient));
    const full = JSON.parse(protector.reveal(stored, true)) as Patient;
    expect(full.identifier!.map((i) => i.value)).toEqual(['MRN-1', '123-45-6789', 'S123 4567']);
    expect(full.identifier![1]!.extension).toBeUndefined();
    const masked = JSON.parse(protector.reveal(stored, false)) as Patient;
    expect(masked.identifier!.map((i) => i.value)).toEqual(['MRN-1', '***-**-6789', '****4567']);
    const plain = '{"resourceType":"Observation","status":"final"}';
    expect(protector.reveal(plain, false)).toBe(plain);
  });

  it('keeps the stored number when a masked value is sent back, and refuses a mask with nothing behind it', () => {
    const stored = protector.protect(patient);
    const sentBack = JSON.parse(protector.reveal(JSON.stringify(stored), false)) as Patient;
    expect(protector.protect(sentBack, stored).identifier).toEqual(stored.identifier);
    expect(() => protector.protect(sentBack)).toThrow(/in full/);
  });

  it('finds a number by its token however it is typed, only for sensitive systems', () => {
    const request = protector.searchRequest(parseSearchRequest('Patient', new URLSearchParams(`identifier=${SSN_SYSTEM}|123456789,urn:mrn|MRN-1`)));
    expect(request.filters[0]!.values).toEqual([`${SSN_SYSTEM}|${protector.token(SSN_SYSTEM, '123-45-6789')}`, 'urn:mrn|MRN-1']);
    const observation = parseSearchRequest('Observation', new URLSearchParams(`identifier=${SSN_SYSTEM}|1`));
    expect(protector.searchRequest(observation)).toBe(observation);
  });

  it('rotates: values under an old key still read and move to the new key when written again', () => {
    const stored = protector.protect(patient);
    const rotated = new SensitiveIdentifiers(new FieldEncryption([newKey, oldKey]), indexKey);
    expect(JSON.parse(rotated.reveal(JSON.stringify(stored), true)).identifier[1].value).toBe('123-45-6789');
    const rewritten = rotated.protect(stored);
    expect(rewritten.identifier![1]!.extension![0]!.valueString).toMatch(/^enc:v1:new:/);
    expect(rewritten.identifier![1]!.value).toBe(stored.identifier![1]!.value);
  });

  it('masks SSNs as ***-**-1234 and other numbers by their last four', () => {
    expect(maskIdentifier(SSN_SYSTEM, '123456789')).toBe('***-**-6789');
    expect(maskIdentifier('urn:oid:2.16.840.1.113883.4.3.6', 'D1234567')).toBe('****4567');
  });
});
