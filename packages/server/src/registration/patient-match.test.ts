import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { scoreMatch } from './patient-match.js';

const registered: Patient = {
  resourceType: 'Patient',
  name: [{ family: 'Smith', given: ['William', 'James'] }],
  gender: 'male',
  birthDate: '1970-03-04',
  telecom: [{ system: 'phone', value: '(555) 201-3344' }],
  address: [{ line: ['12 Oak Street'], city: 'Springfield', postalCode: '62704' }],
};

describe('patient match scoring', () => {
  it('grades the same person typed a little differently as certain', () => {
    const typed: Patient = { ...registered, name: [{ family: 'Smyth', given: ['Bill'] }], telecom: [{ system: 'phone', value: '555.201.3344' }], address: [{ line: ['12 Oak St'], postalCode: '62704-1234' }] };
    const result = scoreMatch(typed, registered);
    expect(result.grade).toBe('certain');
    expect(result.reasons).toEqual(expect.arrayContaining(['family names sound alike', 'given names are a name and its nickname', 'same birth date', 'same phone number', 'same street address']));
  });

  it('grades a name and a swapped birth date as probable, a shared surname and postal code as no match', () => {
    expect(scoreMatch({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['William'] }], birthDate: '1970-04-03' }, registered).grade).toBe('possible');
    expect(scoreMatch({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['Will'] }], birthDate: '1970-04-03', address: [{ line: ['12 Oak Street'], city: 'Springfield' }] }, registered).grade).toBe('probable');
    expect(scoreMatch({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['Olivia'] }], birthDate: '1991-08-17', address: [{ postalCode: '62704' }] }, registered).grade).toBeUndefined();
  });

  it('counts a shared identifier strongly and a different sex against', () => {
    const withLicence = (p: Patient): Patient => ({ ...p, identifier: [{ system: 'urn:us:il:dl', value: 'S530-4417-0012', type: { text: 'driver licence' } }] });
    const byLicence = scoreMatch(withLicence({ resourceType: 'Patient', name: [{ family: 'Smithers', given: ['W'] }] }), withLicence(registered));
    expect(byLicence.reasons).toContain('same identifier (driver licence)');
    expect(byLicence.grade).toBe('probable');
    const sameButFemale = scoreMatch({ ...registered, gender: 'female' }, registered);
    expect(sameButFemale.score).toBeLessThan(scoreMatch(registered, registered).score);
  });
});
