import { describe, expect, it } from 'vitest';
import { ageLabel, ageOn, medicalRecordNumber, patientName } from './patient-facts.js';
import { nextPagePath } from './patient.js';

const today = new Date(2026, 10, 26);

describe('patient banner facts', () => {
  it('counts age in whole years, the day before and on the birthday', () => {
    expect(ageOn('1980-11-27', today)).toBe(45);
    expect(ageOn('1980-11-26', today)).toBe(46);
    expect(ageOn('1980', today)).toBe(46);
  });

  it('shows months for a baby', () => {
    expect(ageLabel('2025-12-01', today)).toBe('11 mo');
    expect(ageLabel('1990-01-01', today)).toBe('36 y');
  });

  it('names the patient family name first, preferring the official name', () => {
    expect(patientName({ resourceType: 'Patient', id: '1', name: [{ use: 'nickname', given: ['Annie'] }, { use: 'official', family: 'Smith', given: ['Ana', 'Maria'] }] })).toBe('Smith, Ana Maria');
    expect(patientName({ resourceType: 'Patient', id: '1' })).toBe('Unnamed patient');
  });

  it('finds the MRN by its identifier type', () => {
    const patient = { resourceType: 'Patient' as const, id: '1', identifier: [{ value: 'SSN-1' }, { value: 'M-42', type: { coding: [{ code: 'MR' }] } }] };
    expect(medicalRecordNumber(patient)).toBe('M-42');
  });

  it('turns the absolute next link into a path on this origin', () => {
    expect(nextPagePath({ resourceType: 'Bundle', link: [{ relation: 'next', url: 'http://host:8080/fhir/R4/Patient?name=a&_cursor=xyz' }] })).toBe('/fhir/R4/Patient?name=a&_cursor=xyz');
  });
});
