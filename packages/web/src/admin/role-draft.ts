import type { AccessPolicy, AccessRule } from '../session/me.js';

export const INTERACTIONS = ['read', 'search', 'history', 'create', 'update', 'delete'] as const;

/** A rule as the editor holds it while the administrator types. */
export interface RuleDraft {
  resourceTypes: string[];
  interactions: string[];
  ownCompartment: boolean;
  /** Kept as the role had it: the editor does not change it. */
  directStatuses?: readonly string[];
}

export interface RoleDraft {
  code: string;
  name: string;
  administration: boolean;
  rules: RuleDraft[];
  /** The policy's other switches (MFA, care team, identifiers, shared only), saved back as they were. */
  kept?: Omit<AccessPolicy, 'rules' | 'administration'>;
}

export function draftOf(role: { code: string; name: string; policy: AccessPolicy }): RoleDraft {
  const { rules, administration, ...kept } = role.policy;
  return {
    code: role.code,
    name: role.name,
    administration: Boolean(administration),
    rules: rules.map((rule) => ({
      resourceTypes: [...rule.resourceTypes],
      interactions: [...rule.interactions],
      ownCompartment: Boolean(rule.ownCompartment),
      ...(rule.directStatuses ? { directStatuses: rule.directStatuses } : {}),
    })),
    kept,
  };
}

/** What is wrong with the draft, by place, before anything is sent. */
export function roleDraftProblems(draft: RoleDraft): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(draft.code)) problems.push('The code is lower-case letters, digits and "-", starting with a letter (for example "lab-tech").');
  if (!draft.name.trim()) problems.push('Give the role a name.');
  draft.rules.forEach((rule, index) => {
    if (rule.resourceTypes.length === 0) problems.push(`Rule ${index + 1}: name at least one resource type, or * for all.`);
    if (rule.interactions.length === 0) problems.push(`Rule ${index + 1}: allow at least one interaction.`);
    const wrong = rule.resourceTypes.filter((type) => type !== '*' && !/^[A-Z][A-Za-z]+$/.test(type));
    if (wrong.length) problems.push(`Rule ${index + 1}: ${wrong.join(', ')} ${wrong.length === 1 ? 'is not a' : 'are not'} FHIR resource type${wrong.length === 1 ? '' : 's'} (such as Patient).`);
  });
  return problems;
}

export function policyOf(draft: RoleDraft): AccessPolicy {
  const rules: AccessRule[] = draft.rules.map((rule) => ({
    resourceTypes: rule.resourceTypes,
    interactions: INTERACTIONS.filter((i) => rule.interactions.includes(i)),
    ...(rule.ownCompartment ? { ownCompartment: true } : {}),
    ...(rule.directStatuses ? { directStatuses: rule.directStatuses } : {}),
  }));
  return { ...draft.kept, ...(draft.administration ? { administration: true } : {}), rules };
}
