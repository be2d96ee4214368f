import { describe, expect, it } from 'vitest';
import { localizeReferences, localizeSearchValue } from './localize-references.js';

const BASE = 'https://clinic.example/fhir/R4';

describe('references to this server', () => {
  it('are stored relative; references elsewhere stay absolute', () => {
    const observation = {
      resourceType: 'Observation',
      subject: { reference: `${BASE}/Patient/1` },
      performer: [{ reference: 'https://other.example/fhir/R4/Practitioner/2' }, { reference: 'Practitioner/3' }],
      note: [{ text: `${BASE}/Patient/1 is only text here` }],
    };
    const localized = localizeReferences(observation, BASE);
    expect(localized.subject.reference).toBe('Patient/1');
    expect(localized.performer.map((p) => p.reference)).toEqual(['https://other.example/fhir/R4/Practitioner/2', 'Practitioner/3']);
    expect(localized.note[0]!.text).toBe(`${BASE}/Patient/1 is only text here`);
    expect(observation.subject.reference).toBe(`${BASE}/Patient/1`);
  });

  it('are searched for as the local resources they name', () => {
    expect(localizeSearchValue(`${BASE}/Patient/1,Patient/2,https://other.example/Patient/3`, `${BASE}/`)).toBe('Patient/1,Patient/2,https://other.example/Patient/3');
  });
});
