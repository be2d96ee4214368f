import { describe, expect, it } from 'vitest';
import { patientSearchParams } from './patient-query.js';

const query = (text: string) => patientSearchParams(text).toString();

describe('the global patient search box', () => {
  it('reads words as names, each matching a part of the name', () => {
    expect(query('  Ana Smith ')).toBe('name=Ana&name=Smith');
  });

  it('reads birth dates in ISO and US order', () => {
    expect(query('smith 1980-02-03')).toBe('birthdate=1980-02-03&name=smith');
    expect(query('2/3/1980')).toBe('birthdate=1980-02-03');
  });

  it('reads a formatted phone number as one value', () => {
    expect(query('(555) 123-4567')).toBe('phone=%28555%29+123-4567');
    expect(query('smith 555-123-4567')).toBe('phone=555-123-4567&name=smith');
  });

  it('reads MRNs and other identifiers', () => {
    expect(query('MRN12345')).toBe('identifier=MRN12345');
    expect(query('#4711')).toBe('identifier=4711');
    expect(query('mrn:A-77')).toBe('identifier=A-77');
  });
});
