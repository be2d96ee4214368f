import type { CodeSystem } from '@medplum/fhirtypes';
import { DEFAULT_APPOINTMENT_TYPES, type AppointmentType } from '../../front-desk/appointment-types.js';
import { APPOINTMENT_TYPE_SYSTEM } from '../../front-desk/fhir-resources.js';

/** Longest appointment the form offers: a full working day. */
export const MAX_MINUTES = 8 * 60;

/**
 * The CodeSystem with this type added, or changed where its code already is. A practice without
 * one books with the server's defaults, so the first edit writes those down with the change.
 */
export function withType(codeSystem: CodeSystem | undefined, type: AppointmentType, practiceName = 'Practice'): CodeSystem {
  const base: CodeSystem = codeSystem ?? {
    resourceType: 'CodeSystem',
    url: APPOINTMENT_TYPE_SYSTEM,
    name: 'AppointmentType',
    title: `${practiceName} appointment types`,
    status: 'active',
    content: 'complete',
    caseSensitive: true,
    property: [{ code: 'duration', description: 'Length of the appointment in minutes', type: 'integer' }],
    concept: DEFAULT_APPOINTMENT_TYPES.map(conceptOf),
  };
  const concepts = base.concept ?? [];
  const known = concepts.some((c) => c.code === type.code);
  return {
    ...base,
    concept: known ? concepts.map((c) => (c.code === type.code ? { ...c, display: type.display, property: [...(c.property ?? []).filter((p) => p.code !== 'duration'), { code: 'duration', valueInteger: type.minutes }] } : c)) : [...concepts, conceptOf(type)],
  };
}

function conceptOf(type: AppointmentType) {
  return { code: type.code, display: type.display, property: [{ code: 'duration', valueInteger: type.minutes }] };
}

/** A code from a name: "Travel vaccine" → "travel-vaccine". */
export function codeFor(display: string): string {
  return display
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

export function typeProblem(type: AppointmentType, others: readonly AppointmentType[]): string | undefined {
  if (!type.display.trim()) return 'Enter a name';
  if (!type.code) return 'The name needs at least one letter or digit';
  if (!Number.isInteger(type.minutes) || type.minutes < 5 || type.minutes > MAX_MINUTES) return `The length must be a whole number of minutes from 5 to ${MAX_MINUTES}`;
  if (others.some((o) => o.code !== type.code && o.display.trim().toLowerCase() === type.display.trim().toLowerCase())) return 'Another type already has this name';
  return undefined;
}
