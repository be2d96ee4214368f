import { describe, expect, it } from 'vitest';
import { DEFAULT_APPOINTMENT_TYPES, typesOf } from '../../front-desk/appointment-types.js';
import { codeFor, typeProblem, withType } from './appointment-types.js';

describe('the practice appointment-type CodeSystem', () => {
  it('starts from the server defaults when the practice has none', () => {
    const written = withType(undefined, { code: 'travel-vaccine', display: 'Travel vaccine', minutes: 15 }, 'Main Street');
    expect(written.url).toBe('https://unichart.dev/fhir/CodeSystem/appointment-type');
    expect(written.title).toBe('Main Street appointment types');
    expect(typesOf(written)).toEqual([...DEFAULT_APPOINTMENT_TYPES, { code: 'travel-vaccine', display: 'Travel vaccine', minutes: 15 }]);
  });

  it('changes an existing type in place and keeps its other properties', () => {
    const base = withType(undefined, { code: 'follow-up', display: 'Follow-up', minutes: 20 });
    base.concept![1]!.property!.push({ code: 'colour', valueString: 'blue' });
    const changed = withType(base, { code: 'follow-up', display: 'Short follow-up', minutes: 15 });
    expect(typesOf(changed).find((t) => t.code === 'follow-up')).toEqual({ code: 'follow-up', display: 'Short follow-up', minutes: 15 });
    expect(changed.concept?.[1]?.property).toEqual([{ code: 'colour', valueString: 'blue' }, { code: 'duration', valueInteger: 15 }]);
    expect(changed.concept).toHaveLength(DEFAULT_APPOINTMENT_TYPES.length);
  });

  it('reads a concept without a duration as not bookable, as the server does', () => {
    expect(typesOf({ resourceType: 'CodeSystem', status: 'active', content: 'complete', concept: [{ code: 'x', display: 'X' }] })).toEqual([]);
  });

  it('makes a code from a name', () => expect(codeFor(' Épaule — injection 2 ')).toBe('epaule-injection-2'));

  it('checks the name and length before saving', () => {
    const types = [...DEFAULT_APPOINTMENT_TYPES];
    expect(typeProblem({ code: 'x', display: 'X', minutes: 30 }, types)).toBeUndefined();
    expect(typeProblem({ code: '', display: '  ', minutes: 30 }, types)).toBe('Enter a name');
    expect(typeProblem({ code: 'x', display: 'X', minutes: 4 }, types)).toContain('from 5 to 480');
    expect(typeProblem({ code: 'follow-up-2', display: 'follow-up', minutes: 20 }, types)).toBe('Another type already has this name');
  });
});
