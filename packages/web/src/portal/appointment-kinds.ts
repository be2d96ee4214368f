import type { Appointment, Bundle, Schedule, Slot } from '@medplum/fhirtypes';

/** The practice's appointment types (server: scheduling/appointment-types.ts); the defaults every practice has. */
export const APPOINTMENT_TYPE_SYSTEM = 'https://unichart.dev/fhir/CodeSystem/appointment-type';
export const APPOINTMENT_KINDS = [
  { code: 'follow-up', label: 'Follow-up visit' },
  { code: 'annual-physical', label: 'Annual physical' },
  { code: 'new-patient', label: 'New problem (longer visit)' },
  { code: 'telehealth', label: 'Video visit' },
] as const;

export function appointmentKind(appointment: Appointment): string {
  const code = appointment.appointmentType?.coding?.find((c) => c.system === APPOINTMENT_TYPE_SYSTEM)?.code;
  return APPOINTMENT_KINDS.find((k) => k.code === code)?.label ?? appointment.appointmentType?.text ?? appointment.appointmentType?.coding?.[0]?.display ?? 'Visit';
}

/** Whether it still lies ahead (a request without a time counts as ahead). */
export function isUpcoming(appointment: Appointment, now: Date): boolean {
  if (['cancelled', 'noshow', 'fulfilled', 'entered-in-error'].includes(appointment.status)) return false;
  if (!appointment.start) return ['proposed', 'pending', 'waitlist'].includes(appointment.status);
  return new Date(appointment.end ?? appointment.start).getTime() >= now.getTime();
}

export function practitionerOf(appointment: Appointment): { reference?: string; display?: string } | undefined {
  return appointment.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor;
}

/** A request for the practice to offer a time: a `proposed` Appointment with the patient's preferred dates. */
export function appointmentRequest(patientId: string, kind: string, from: string, to: string, reason: string, now: Date): Appointment {
  const label = APPOINTMENT_KINDS.find((k) => k.code === kind)?.label ?? kind;
  return {
    resourceType: 'Appointment',
    status: 'proposed',
    appointmentType: { coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code: kind }], text: label },
    description: reason || label,
    comment: 'Requested by the patient from the portal',
    created: now.toISOString(),
    requestedPeriod: [{ start: `${from}T00:00:00${offset(now)}`, end: `${to}T23:59:59${offset(now)}` }],
    participant: [{ actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' }],
  };
}

/** Open times from `Appointment/$find`, each with who and where from its Schedule. */
export interface OpenTime {
  readonly slot: Slot;
  readonly actors: readonly { reference?: string; display?: string }[];
}

export function openTimes(bundle: Bundle): OpenTime[] {
  const schedules = new Map<string, Schedule>((bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Schedule' ? [[`Schedule/${e.resource.id}`, e.resource as Schedule]] : [])));
  return (bundle.entry ?? []).flatMap((e) => {
    if (e.resource?.resourceType !== 'Slot') return [];
    const slot = e.resource as Slot;
    return [{ slot, actors: schedules.get(slot.schedule.reference ?? '')?.actor ?? [] }];
  });
}

/** A booking of an open time for the patient, for `Appointment/$book`. */
export function bookingOf(patientId: string, time: OpenTime, reason: string): Appointment {
  return {
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: time.slot.appointmentType,
    start: time.slot.start,
    end: time.slot.end,
    description: reason || undefined,
    comment: 'Booked by the patient from the portal',
    participant: [{ actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' }, ...time.actors.map((actor) => ({ actor, required: 'required' as const, status: 'accepted' as const }))],
  };
}

/** "+01:00" for the browser's zone on that day: a preferred day means the patient's own day. */
function offset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
