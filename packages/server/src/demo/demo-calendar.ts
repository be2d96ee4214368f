import type { Appointment, AppointmentParticipant, Encounter, EncounterStatusHistory, PaymentReconciliation } from '@medplum/fhirtypes';
import type { DateTime } from 'luxon';
import { appointmentTypeConcept } from '../scheduling/appointment-types.js';
import { WEEKDAYS } from '../scheduling/availability.js';
import { COVERAGE_CHECKED_URL } from '../scheduling/visit-operations.js';
import { DEMO_APPOINTMENT_TYPES, type AppointmentTypeCode, type DemoDirectory, type DemoSchedule, type Panel, type WorkBlock } from './demo-directory.js';
import type { DemoPatient } from './demo-patients.js';
import { referenceTo, type DemoRecord } from './demo-record.js';

/** How busy each schedule is: most of this week is taken, next week is filling up. */
const FILL = { thisWeek: 0.82, nextWeek: 0.55 } as const;

const TYPE_MIX: Record<Panel, readonly (readonly [AppointmentTypeCode, number])[]> = {
  any: [['follow-up', 35], ['annual-physical', 15], ['well-child', 6], ['sick-visit', 15], ['new-patient', 8], ['telehealth', 12]],
  adults: [['follow-up', 40], ['annual-physical', 20], ['sick-visit', 15], ['new-patient', 8], ['telehealth', 12], ['procedure', 5]],
  children: [['well-child', 35], ['sick-visit', 30], ['follow-up', 20], ['new-patient', 5], ['telehealth', 10]],
  cardiac: [['follow-up', 50], ['new-patient', 25], ['procedure', 25]],
};

export interface CalendarSummary {
  readonly appointments: number;
  readonly byStatus: Record<string, number>;
}

interface Booking {
  readonly schedule: DemoSchedule;
  readonly patient: DemoPatient;
  readonly type: (typeof DEMO_APPOINTMENT_TYPES)[number];
  readonly start: DateTime;
  readonly end: DateTime;
}

/**
 * This week's and next week's appointments, laid out in each schedule's open hours one after
 * another (so no practitioner or room is ever held twice at once, which the database would
 * refuse anyway), each patient at most once a day. What has happened by now has happened:
 * earlier visits are fulfilled, missed or cancelled, the people in the clinic right now are
 * checked in with their Encounters, later ones are booked; a few wait on the waitlist.
 */
export function generateCalendar(record: DemoRecord, directory: DemoDirectory, patients: readonly DemoPatient[]): CalendarSummary {
  const { random, now } = record;
  const byStatus: Record<string, number> = {};
  const count = (status: string) => (byStatus[status] = (byStatus[status] ?? 0) + 1);
  const monday = now.startOf('week');
  const portal = patients[0];
  // The portal patient has a check-up booked with their own clinician a few days ahead.
  const portalDay = nextWorkday(now.plus({ days: 3 }));
  let portalBooked = false;

  for (let offset = 0; offset < 12; offset++) {
    const day = monday.plus({ days: offset });
    const weekday = WEEKDAYS[day.weekday - 1]!;
    if (weekday === 'sat' || weekday === 'sun') continue;
    const seenToday = new Set<string>();
    for (const schedule of directory.schedules) {
      if (directory.closedDays.get(schedule.schedule.id)?.has(day.toISODate()!)) continue;
      for (const block of schedule.blocks.filter((b) => b.days.includes(weekday))) {
        let t = atTime(day, block.start);
        const blockEnd = atTime(day, block.end);
        while (t < blockEnd) {
          const wantsPortal = !portalBooked && portal && portal.pcp === schedule.clinician && +day.startOf('day') === +portalDay.startOf('day') && t.hour >= 10;
          const type = wantsPortal ? fitting(block, t, blockEnd, ['annual-physical']) : chooseType(record, block, t, blockEnd, schedule.clinician.panel);
          const fill = offset < 7 ? FILL.thisWeek : FILL.nextWeek;
          const patient = type && (wantsPortal ? portal : random.chance(fill) ? choosePatient(record, patients, schedule, type.code, seenToday) : undefined);
          if (!type || !patient) {
            t = t.plus({ minutes: 20 });
            continue;
          }
          if (patient === portal) portalBooked = true;
          seenToday.add(patient.patient.id);
          const end = t.plus({ minutes: type.minutes });
          count(addVisit(record, directory, { schedule, patient, type, start: t, end }));
          t = end;
        }
      }
    }
  }
  for (const patient of pickDistinct(record, patients, 3)) {
    addWaitlistEntry(record, directory, patient);
    count('waitlist');
  }
  return { appointments: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
}

function atTime(day: DateTime, time: string): DateTime {
  const [hour, minute] = time.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

function nextWorkday(day: DateTime): DateTime {
  return day.weekday > 5 ? day.plus({ days: 8 - day.weekday }) : day;
}

function fitting(block: WorkBlock, start: DateTime, blockEnd: DateTime, codes: readonly AppointmentTypeCode[]): (typeof DEMO_APPOINTMENT_TYPES)[number] | undefined {
  return DEMO_APPOINTMENT_TYPES.find((t) => codes.includes(t.code) && (!block.types || block.types.includes(t.code)) && start.plus({ minutes: t.minutes }) <= blockEnd);
}

function chooseType(record: DemoRecord, block: WorkBlock, start: DateTime, blockEnd: DateTime, panel: Panel): (typeof DEMO_APPOINTMENT_TYPES)[number] | undefined {
  const options = TYPE_MIX[panel].filter(([code]) => fitting(block, start, blockEnd, [code]));
  return options.length ? fitting(block, start, blockEnd, [record.random.weighted(options)]) : undefined;
}

function choosePatient(record: DemoRecord, patients: readonly DemoPatient[], schedule: DemoSchedule, type: AppointmentTypeCode, seenToday: ReadonlySet<string>): DemoPatient | undefined {
  const panel = schedule.clinician.panel;
  const candidates = patients.filter(
    (p) =>
      p !== patients[0] &&
      !seenToday.has(p.patient.id) &&
      (panel === 'cardiac' ? p.age >= 30 && p.chronic.some((c) => c.key === 'hypertension' || c.key === 'hyperlipidemia') : p.pcp === schedule.clinician) &&
      (type !== 'well-child' || p.age < 18) &&
      (type !== 'annual-physical' || p.age >= 18),
  );
  return candidates.length ? record.random.pick(candidates) : undefined;
}

function pickDistinct(record: DemoRecord, patients: readonly DemoPatient[], count: number): DemoPatient[] {
  const chosen = new Set<DemoPatient>();
  while (chosen.size < Math.min(count, patients.length - 1)) chosen.add(patients[record.random.int(1, patients.length - 1)]!);
  return [...chosen];
}

type VisitStatus = 'fulfilled' | 'noshow' | 'cancelled' | 'arrived' | 'booked';

/** What has become of a visit by now, and how far along the checked-in ones are. */
function visitStatus(record: DemoRecord, booking: Booking): { status: VisitStatus; encounter?: Encounter['status'] } {
  const { random, now } = record;
  if (booking.end <= now) {
    const status = random.weighted<VisitStatus>([['fulfilled', 0.84], ['noshow', 0.07], ['cancelled', 0.09]]);
    return status === 'fulfilled' ? { status, encounter: 'finished' } : { status };
  }
  if (booking.start <= now) return { status: 'arrived', encounter: random.chance(0.7) ? 'in-progress' : 'triaged' };
  if (booking.start.hasSame(now, 'day') && booking.start.diff(now, 'minutes').minutes <= 45 && random.chance(0.6)) {
    return { status: 'arrived', encounter: random.chance(0.5) ? 'arrived' : 'triaged' };
  }
  return { status: random.chance(0.05) ? 'cancelled' : 'booked' };
}

function addVisit(record: DemoRecord, directory: DemoDirectory, booking: Booking): string {
  const { random } = record;
  const { schedule, patient, type, start, end } = booking;
  const telehealth = type.code === 'telehealth';
  const visit = visitStatus(record, booking);
  const { status } = visit;
  // A video visit has no exam room to be shown into.
  const encounter = telehealth && visit.encounter === 'triaged' ? 'arrived' : visit.encounter;
  const participant: AppointmentParticipant[] = [
    { actor: referenceTo(patient.patient, displayName(patient)), required: 'required', status: 'accepted' },
    { actor: referenceTo(schedule.clinician.practitioner, schedule.clinician.display), required: 'required', status: 'accepted' },
    ...(telehealth ? [] : [{ actor: referenceTo(schedule.site, schedule.site.name), required: 'required' as const, status: 'accepted' as const }]),
  ];
  const appointment = record.add<Appointment>({
    resourceType: 'Appointment',
    status,
    ...(status === 'cancelled' ? { cancelationReason: { text: random.pick(['Patient called to cancel', 'Patient is feeling better', 'Work conflict; will call to reschedule']) } } : {}),
    appointmentType: appointmentTypeConcept(type),
    description: `${type.display} with ${schedule.clinician.display}`,
    start: iso(start),
    end: iso(end),
    minutesDuration: type.minutes,
    created: iso(start.minus({ days: random.int(1, 40) }).set({ hour: 9 })),
    participant,
  });
  if (!encounter) return status;

  const arrival = start.minus({ minutes: random.int(4, 15) });
  const roomed = arrival.plus({ minutes: random.int(3, 14) });
  const seen = roomed.plus({ minutes: random.int(2, 10) });
  const left = end.plus({ minutes: random.int(0, 10) });
  const steps: [Encounter['status'], DateTime][] = [['arrived', arrival], ['triaged', roomed], ['in-progress', seen], ['finished', left]];
  const reached = steps.findIndex(([s]) => s === encounter);
  const history: EncounterStatusHistory[] = steps.slice(0, reached).map(([s, at], i) => ({ status: s, period: { start: iso(at), end: iso(steps[i + 1]![1]) } }));
  const inRoom = reached >= 1 && !telehealth;
  const created = record.add<Encounter>({
    resourceType: 'Encounter',
    ...(patient.coverage ? { extension: [{ url: COVERAGE_CHECKED_URL, valueReference: referenceTo(patient.coverage) }] } : {}),
    status: encounter,
    ...(history.length ? { statusHistory: history } : {}),
    class: telehealth
      ? { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR', display: 'virtual' }
      : { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [appointmentTypeConcept(type)],
    subject: referenceTo(patient.patient, displayName(patient)),
    participant: [{ individual: referenceTo(schedule.clinician.practitioner, schedule.clinician.display) }],
    appointment: [referenceTo(appointment)],
    period: { start: iso(arrival), ...(encounter === 'finished' ? { end: iso(left) } : {}) },
    ...(telehealth
      ? {}
      : {
          location: [
            { location: referenceTo(schedule.site, schedule.site.name), status: inRoom ? ('completed' as const) : ('active' as const) },
            ...(inRoom ? [{ location: referenceTo(schedule.room, schedule.room.name), status: encounter === 'finished' ? ('completed' as const) : ('active' as const) }] : []),
          ],
        }),
    serviceProvider: referenceTo(directory.organization, directory.organization.name),
  });
  const copay = patient.coverage?.costToBeneficiary?.find((c) => c.type?.coding?.[0]?.code === (schedule.clinician.panel === 'cardiac' ? 'spvisit' : 'gpvisit'))?.valueMoney;
  if (copay && !telehealth && random.chance(0.8)) {
    const method = random.pick(['card', 'card', 'cash', 'check']);
    record.add<PaymentReconciliation>({
      resourceType: 'PaymentReconciliation',
      status: 'active',
      created: iso(arrival),
      paymentDate: arrival.toISODate()!,
      paymentAmount: copay,
      disposition: `Copay collected at check-in (${method})`,
      paymentIdentifier: { system: 'https://unichart.dev/fhir/payment-method', value: method },
      detail: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/payment-type', code: 'payment' }] }, request: referenceTo(created), amount: copay, date: arrival.toISODate()! }],
    });
  }
  return status;
}

function addWaitlistEntry(record: DemoRecord, directory: DemoDirectory, patient: DemoPatient): void {
  const { random, now } = record;
  const schedule = directory.schedules.find((s) => s.clinician === patient.pcp) ?? directory.schedules[0]!;
  const type = DEMO_APPOINTMENT_TYPES.find((t) => t.code === (patient.age < 18 ? 'sick-visit' : 'follow-up'))!;
  const from = now.plus({ days: 1 }).startOf('day');
  record.add<Appointment>({
    resourceType: 'Appointment',
    status: 'waitlist',
    appointmentType: appointmentTypeConcept(type),
    description: `Waiting for an earlier ${type.display.toLowerCase()} with ${schedule.clinician.display}`,
    comment: random.pick(['Prefers mornings', 'Any time after 2 pm', 'Can come in at short notice']),
    created: iso(now.minus({ days: random.int(1, 6) }).set({ hour: 11, minute: 0 })),
    requestedPeriod: [{ start: iso(from), end: iso(from.plus({ days: 10 })) }],
    participant: [
      { actor: referenceTo(patient.patient, displayName(patient)), required: 'required', status: 'accepted' },
      { actor: referenceTo(schedule.clinician.practitioner, schedule.clinician.display), required: 'required', status: 'needs-action' },
    ],
  });
}

export function displayName(patient: DemoPatient): string {
  const name = patient.patient.name![0]!;
  return `${name.given![0]} ${name.family}`;
}

function iso(at: DateTime): string {
  return at.toISO({ suppressMilliseconds: true })!;
}
