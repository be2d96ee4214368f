import type { Appointment } from '@medplum/fhirtypes';
import { APPOINTMENT_TYPES } from '../appointment-types.js';

/**
 * Colours by status, dark enough for white text (WCAG AA 4.5:1), and a word for each so colour
 * is never the only sign (WCAG 1.4.1).
 */
export const STATUS_STYLE: Record<string, { label: string; colour: string }> = {
  booked: { label: 'Booked', colour: '#1c5fb8' },
  pending: { label: 'Pending', colour: '#5f3dc4' },
  proposed: { label: 'Proposed', colour: '#5f3dc4' },
  arrived: { label: 'Arrived', colour: '#2b7a0b' },
  'checked-in': { label: 'Checked in', colour: '#2b7a0b' },
  fulfilled: { label: 'Checked out', colour: '#495057' },
  noshow: { label: 'No-show', colour: '#b02a37' },
  cancelled: { label: 'Cancelled', colour: '#6c4a00' },
};

export interface AppointmentEvent {
  readonly id: string;
  readonly title: string;
  readonly start: string;
  readonly end: string;
  readonly backgroundColor: string;
  readonly borderColor: string;
  readonly textColor: string;
  /** Only a booked appointment can be moved ($reschedule refuses anything else). */
  readonly editable: boolean;
  readonly extendedProps: { readonly status: string; readonly patient: string };
}

/** An appointment as the calendar draws it; names come from the patients fetched with it. */
export function appointmentEvent(appointment: Appointment, patientNames: ReadonlyMap<string, string>): AppointmentEvent | undefined {
  if (!appointment.id || !appointment.start || !appointment.end) return undefined;
  const patient = appointment.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor;
  const name = (patient?.reference && patientNames.get(patient.reference)) ?? patient?.display ?? 'Patient';
  const style = STATUS_STYLE[appointment.status] ?? { label: appointment.status, colour: '#495057' };
  const code = appointment.appointmentType?.coding?.[0]?.code;
  const type = appointment.appointmentType?.text ?? appointment.appointmentType?.coding?.[0]?.display ?? (code && (APPOINTMENT_TYPES[code]?.replace(/ \(.*\)$/, '') ?? code));
  return {
    id: appointment.id,
    title: `${name}${type ? ` · ${type}` : ''} · ${style.label}`,
    start: appointment.start,
    end: appointment.end,
    backgroundColor: style.colour,
    borderColor: style.colour,
    textColor: '#ffffff',
    editable: appointment.status === 'booked',
    extendedProps: { status: appointment.status, patient: patient?.reference ?? '' },
  };
}
