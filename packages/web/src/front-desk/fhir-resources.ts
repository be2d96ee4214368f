import type { Appointment, Bundle, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';

/** The resources of a search answer, of one type (a searchset also carries includes and outcomes). */
export function entriesOf<T extends Resource>(bundle: Bundle | undefined, resourceType: T['resourceType']): T[] {
  return (bundle?.entry ?? []).flatMap((entry) => (entry.resource?.resourceType === resourceType ? [entry.resource as T] : []));
}

/** `Patient/123` → `123`. */
export function idOf(reference: string | undefined): string {
  return reference?.split('/').at(-1) ?? '';
}

/** The references of an appointment's participants of one type (`Patient/1`, `Practitioner/2`). */
export function participantsOf(appointment: Appointment, resourceType: string): string[] {
  return (appointment.participant ?? []).flatMap((p) => (p.actor?.reference?.startsWith(`${resourceType}/`) ? [p.actor.reference] : []));
}

export function parameters(...parameter: ParametersParameter[]): Parameters {
  return { resourceType: 'Parameters', parameter };
}

export function parameterOf(result: Parameters | undefined, name: string): ParametersParameter | undefined {
  return result?.parameter?.find((p) => p.name === name);
}

export const APPOINTMENT_TYPE_SYSTEM = 'https://unichart.dev/fhir/CodeSystem/appointment-type';
/** "Tue 3 Mar, 09:20" in the browser's time zone. */
export function formatWhen(instant: string | undefined): string {
  if (!instant) return '—';
  return new Date(instant).toLocaleString('en-US', { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

export function formatTime(instant: string | undefined): string {
  if (!instant) return '—';
  return new Date(instant).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
}

/** The local calendar day of a moment, as YYYY-MM-DD. */
export function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

export function formatMoney(value: number | undefined, currency = 'USD'): string {
  if (value === undefined) return '—';
  return value.toLocaleString('en-US', { style: 'currency', currency });
}
