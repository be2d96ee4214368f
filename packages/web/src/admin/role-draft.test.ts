import { describe, expect, it } from 'vitest';
import { draftOf, policyOf, roleDraftProblems } from './role-draft.js';

describe('editing a role', () => {
  const nurse = { code: 'nurse', name: 'Nurse', policy: { rules: [{ resourceTypes: ['*'], interactions: ['read', 'search'] }] } };

  it('round-trips the policy the server sent, with interactions in their usual order', () => {
    const draft = draftOf(nurse);
    draft.rules[0]!.interactions.push('create');
    draft.rules.push({ resourceTypes: ['Observation'], interactions: ['update', 'read'], ownCompartment: true });
    expect(policyOf(draft)).toEqual({
      rules: [
        { resourceTypes: ['*'], interactions: ['read', 'search', 'create'] },
        { resourceTypes: ['Observation'], interactions: ['read', 'update'], ownCompartment: true },
      ],
    });
  });

  it('saves back the switches the editor does not show, as the role had them', () => {
    const physician = {
      code: 'physician',
      name: 'Physician',
      policy: { requiresMfa: true, careTeamOnly: true, sensitiveIdentifiers: true, rules: [{ resourceTypes: ['Appointment'], interactions: ['create'], ownCompartment: true, directStatuses: ['proposed'] }] },
    };
    const draft = draftOf(physician);
    draft.name = 'Doctor';
    expect(policyOf(draft)).toEqual(physician.policy);
  });

  it('explains each problem by rule number before sending', () => {
    const draft = { code: 'Lab Tech', name: ' ', administration: false, rules: [{ resourceTypes: [], interactions: [], ownCompartment: false }, { resourceTypes: ['patient'], interactions: ['read'], ownCompartment: false }] };
    expect(roleDraftProblems(draft)).toEqual([
      'The code is lower-case letters, digits and "-", starting with a letter (for example "lab-tech").',
      'Give the role a name.',
      'Rule 1: name at least one resource type, or * for all.',
      'Rule 1: allow at least one interaction.',
      'Rule 2: patient is not a FHIR resource type (such as Patient).',
    ]);
    expect(roleDraftProblems(draftOf(nurse))).toEqual([]);
  });
});
