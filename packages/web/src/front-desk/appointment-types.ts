import type { Bundle, CodeSystem } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../session/session-context.js';
import { APPOINTMENT_TYPE_SYSTEM, entriesOf } from './fhir-resources.js';

/**
 * The practice's appointment types are its own CodeSystem, each concept with a `duration` in
 * minutes (server: scheduling/appointment-types.ts); a practice without one books with the
 * server's defaults below.
 */
export interface AppointmentType {
  readonly code: string;
  readonly display: string;
  readonly minutes: number;
}

export const DEFAULT_APPOINTMENT_TYPES: readonly AppointmentType[] = [
  { code: 'new-patient', display: 'New patient', minutes: 40 },
  { code: 'follow-up', display: 'Follow-up', minutes: 20 },
  { code: 'annual-physical', display: 'Annual physical', minutes: 40 },
  { code: 'telehealth', display: 'Telehealth visit', minutes: 20 },
  { code: 'procedure', display: 'Procedure', minutes: 60 },
];

/** Labels of the default types, for appointments that carry only a code. */
export const APPOINTMENT_TYPES: Record<string, string> = Object.fromEntries(DEFAULT_APPOINTMENT_TYPES.map((t) => [t.code, `${t.display} (${t.minutes} min)`]));

/** A concept without a positive duration cannot be booked, as the server reads it. */
export function typesOf(codeSystem: CodeSystem | undefined): AppointmentType[] {
  if (!codeSystem) return [...DEFAULT_APPOINTMENT_TYPES];
  return (codeSystem.concept ?? []).flatMap((concept) => {
    const minutes = concept.property?.find((p) => p.code === 'duration')?.valueInteger;
    return minutes && minutes > 0 ? [{ code: concept.code, display: concept.display ?? concept.code, minutes }] : [];
  });
}

/** The practice's appointment-type CodeSystem, or null while it uses the server's defaults. */
export function useAppointmentTypeSystem() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['CodeSystem', 'appointment-type'],
    queryFn: async () => entriesOf<CodeSystem>(await api.get<Bundle>(`/fhir/R4/CodeSystem?url=${encodeURIComponent(APPOINTMENT_TYPE_SYSTEM)}&_count=1`), 'CodeSystem')[0] ?? null,
    staleTime: 60_000,
  });
}

/**
 * The types to pick from, as select options. A role that may not read the CodeSystem (one set up
 * before the desk was given it) is offered the defaults, as before.
 */
export function useAppointmentTypeOptions(): { value: string; label: string }[] {
  const system = useAppointmentTypeSystem();
  const types = system.isSuccess ? typesOf(system.data ?? undefined) : DEFAULT_APPOINTMENT_TYPES;
  return types.map((t) => ({ value: t.code, label: `${t.display} (${t.minutes} min)` }));
}
