import { FhirError, parseFhirDateRange } from '@unichart/fhir';
import type { Appointment, Task } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import type { RepositoryTransaction } from '../fhir/repository.js';
import { participantsOf, searchAll } from './schedule-book.js';

export const WAITLIST_OFFER = { system: 'https://unichart.dev/fhir/CodeSystem/task-type', code: 'waitlist-offer', display: 'Offer a freed appointment time' };
const HOLDS_TIME = new Set(['pending', 'booked', 'arrived', 'checked-in']);

/**
 * Cancels an appointment (by the desk through `$cancel`, or by the patient from a reminder):
 * the time is freed (the database drops its hold) and offered to the waitlist.
 */
export async function cancelAppointment(
  tx: RepositoryTransaction,
  current: Appointment,
  reason: string,
  now: Date,
  /** The practice's time zone: the offer tells the desk the freed time as they read a clock. */
  timeZone: string,
): Promise<{ cancelled: Appointment; offer?: Task }> {
  if (current.status === 'cancelled') throw new FhirError(409, 'conflict', `Appointment/${current.id} is already cancelled`);
  if (['fulfilled', 'noshow', 'entered-in-error'].includes(current.status)) throw new FhirError(409, 'conflict', `Appointment/${current.id} is ${current.status} and cannot be cancelled`);
  const cancelled = (await tx.update({ ...current, status: 'cancelled', cancelationReason: { text: reason } })).resource as Appointment;
  const offer = HOLDS_TIME.has(current.status) ? await offerToWaitlist(tx, current, now, timeZone) : undefined;
  return { cancelled, offer };
}

/**
 * The freed time goes to the first waitlisted patient it fits: same practitioner (or none
 * asked for), a requested period that covers it, and a type no longer than the time freed.
 * The offer is a Task for the front desk (and, with reminders, the patient) to act on.
 */
async function offerToWaitlist(tx: RepositoryTransaction, freed: Appointment, now: Date, timeZone: string): Promise<Task | undefined> {
  if (!freed.start || !freed.end) return undefined;
  const start = new Date(freed.start);
  const end = new Date(freed.end);
  if (start < now) return undefined;
  const practitioners = participantsOf(freed, 'Practitioner');
  // Only entries the time could go to: waiting for one of these practitioners, or for anyone.
  const waitlisted = { status: 'waitlist', _count: '1000', _sort: '_lastUpdated' };
  const waiting = [
    ...(practitioners.length ? await searchAll<Appointment>(tx, 'Appointment', { ...waitlisted, practitioner: practitioners.join(',') }) : []),
    ...(await searchAll<Appointment>(tx, 'Appointment', { ...waitlisted, 'practitioner:missing': 'true' })),
  ];
  const fits = waiting
    .filter((w) => {
      const wanted = participantsOf(w, 'Practitioner');
      if (wanted.length > 0 && !wanted.some((p) => practitioners.includes(p))) return false;
      const minutes = w.minutesDuration ?? 0;
      if (minutes * 60_000 > end.getTime() - start.getTime()) return false;
      const periods = w.requestedPeriod ?? [];
      return periods.length === 0 || periods.some((p) => (!p.start || parseFhirDateRange(p.start)!.low <= start) && (!p.end || parseFhirDateRange(p.end)!.high >= end));
    })
    .sort((a, b) => (a.created ?? a.meta?.lastUpdated ?? '').localeCompare(b.created ?? b.meta?.lastUpdated ?? ''));
  const next = fits[0];
  if (!next) return undefined;
  const patient = next.participant?.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor;
  const task: Task = {
    resourceType: 'Task',
    status: 'requested',
    intent: 'proposal',
    priority: 'asap',
    code: { coding: [WAITLIST_OFFER], text: WAITLIST_OFFER.display },
    description: `A time is free${withWhom(freed)} ${freedTime(freed.start, freed.end, timeZone)}: offer it to ${patient?.display ?? 'the waitlisted patient'}`,
    focus: { reference: `Appointment/${next.id}` },
    for: { reference: patient?.reference },
    authoredOn: now.toISOString(),
    input: [
      { type: { text: 'start' }, valueDateTime: freed.start },
      { type: { text: 'end' }, valueDateTime: freed.end },
      ...practitioners.map((reference) => ({ type: { text: 'practitioner' }, valueReference: { reference } })),
    ],
  };
  return (await tx.create(task)).resource as Task;
}

/** " with Dr Ada Lovelace" by the names the appointment gives its practitioners (their references where it gives none). */
function withWhom(appointment: Appointment): string {
  const names = (appointment.participant ?? [])
    .filter((p) => p.actor?.reference?.startsWith('Practitioner/'))
    .map((p) => p.actor!.display ?? p.actor!.reference!);
  return names.length ? ` with ${names.join(', ')}` : '';
}

/** "on Tuesday, March 3, 9:30 AM to 10:00 AM" in the practice's time zone (the end's date too when it is another day). */
function freedTime(start: string, end: string, timeZone: string): string {
  const from = DateTime.fromISO(start, { zone: timeZone });
  const to = DateTime.fromISO(end, { zone: timeZone });
  return `on ${from.toFormat('cccc, LLLL d, h:mm a')} to ${to.hasSame(from, 'day') ? to.toFormat('h:mm a') : to.toFormat('cccc, LLLL d, h:mm a')}`;
}
