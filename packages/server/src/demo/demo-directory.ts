import type { CodeSystem, Extension, Location, Organization, Practitioner, PractitionerRole, Schedule, Slot } from '@medplum/fhirtypes';
import type { DateTime } from 'luxon';
import { APPOINTMENT_TYPE_SYSTEM } from '../scheduling/appointment-types.js';
import { AVAILABILITY_URL, TIMEZONE_URL, type Weekday } from '../scheduling/availability.js';
import { referenceTo, type DemoRecord, type WithId } from './demo-record.js';

/** The practice's own appointment types; the calendar and the schedules use these codes. */
export const DEMO_APPOINTMENT_TYPES = [
  { code: 'new-patient', display: 'New patient', minutes: 40 },
  { code: 'follow-up', display: 'Follow-up', minutes: 20 },
  { code: 'annual-physical', display: 'Annual physical', minutes: 40 },
  { code: 'well-child', display: 'Well-child visit', minutes: 30 },
  { code: 'sick-visit', display: 'Same-day sick visit', minutes: 20 },
  { code: 'telehealth', display: 'Telehealth visit', minutes: 20 },
  { code: 'procedure', display: 'Procedure', minutes: 60 },
] as const;
export type DemoAppointmentType = (typeof DEMO_APPOINTMENT_TYPES)[number];
export type AppointmentTypeCode = DemoAppointmentType['code'];

export interface WorkBlock {
  readonly days: readonly Weekday[];
  readonly start: string;
  readonly end: string;
  /** Types the block takes; absent: any. */
  readonly types?: readonly AppointmentTypeCode[];
}

export type Panel = 'any' | 'adults' | 'children' | 'cardiac';

interface ClinicianPlan {
  readonly key: string;
  readonly given: string;
  readonly family: string;
  readonly gender: 'female' | 'male';
  readonly degree: 'MD' | 'NP' | 'RN';
  readonly specialty: { readonly code: string; readonly display: string };
  /** Whom they see: their share of the practice's patients, or a specialist's referrals. */
  readonly panel: Panel;
  readonly hours: readonly { readonly site: 'main' | 'riverside'; readonly blocks: readonly WorkBlock[] }[];
}

const WEEKDAYS_MON_FRI: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const CLINICIANS: readonly ClinicianPlan[] = [
  {
    key: 'alvarez', given: 'Maria', family: 'Alvarez', gender: 'female', degree: 'MD', panel: 'any',
    specialty: { code: '207Q00000X', display: 'Family Medicine Physician' },
    hours: [{ site: 'main', blocks: [{ days: WEEKDAYS_MON_FRI, start: '08:00', end: '12:00' }, { days: WEEKDAYS_MON_FRI, start: '13:00', end: '17:00' }] }],
  },
  {
    key: 'okafor', given: 'James', family: 'Okafor', gender: 'male', degree: 'MD', panel: 'adults',
    specialty: { code: '207R00000X', display: 'Internal Medicine Physician' },
    hours: [
      { site: 'main', blocks: [{ days: ['mon', 'tue', 'thu'], start: '08:30', end: '12:00' }, { days: ['mon', 'tue', 'thu'], start: '13:00', end: '16:30' }] },
      { site: 'riverside', blocks: [{ days: ['wed', 'fri'], start: '09:00', end: '15:00' }] },
    ],
  },
  {
    key: 'natarajan', given: 'Priya', family: 'Natarajan', gender: 'female', degree: 'MD', panel: 'children',
    specialty: { code: '208000000X', display: 'Pediatrics Physician' },
    hours: [
      {
        site: 'riverside',
        blocks: [
          { days: WEEKDAYS_MON_FRI, start: '08:00', end: '12:00' },
          { days: ['mon', 'tue', 'wed', 'thu'], start: '13:00', end: '17:00', types: ['well-child', 'sick-visit', 'follow-up', 'telehealth'] },
        ],
      },
    ],
  },
  {
    key: 'berg', given: 'Thomas', family: 'Berg', gender: 'male', degree: 'MD', panel: 'cardiac',
    specialty: { code: '207RC0000X', display: 'Cardiovascular Disease Physician' },
    hours: [{ site: 'main', blocks: [{ days: ['tue', 'thu'], start: '09:00', end: '12:00', types: ['new-patient', 'follow-up', 'procedure'] }, { days: ['tue', 'thu'], start: '13:00', end: '16:00', types: ['new-patient', 'follow-up', 'procedure'] }] }],
  },
  {
    key: 'kim', given: 'Laura', family: 'Kim', gender: 'female', degree: 'NP', panel: 'any',
    specialty: { code: '363LF0000X', display: 'Family Nurse Practitioner' },
    hours: [{ site: 'riverside', blocks: [{ days: WEEKDAYS_MON_FRI, start: '08:00', end: '12:00' }, { days: WEEKDAYS_MON_FRI, start: '13:00', end: '17:00', types: ['follow-up', 'sick-visit', 'telehealth'] }] }],
  },
  { key: 'reyes', given: 'Daniel', family: 'Reyes', gender: 'male', degree: 'RN', panel: 'any', specialty: { code: '163W00000X', display: 'Registered Nurse' }, hours: [] },
];

const DEGREES = { MD: 'Doctor of Medicine', NP: 'Nurse Practitioner', RN: 'Registered Nurse' } as const;

export interface DemoClinician {
  readonly key: string;
  readonly practitioner: WithId<Practitioner>;
  readonly display: string;
  readonly panel: Panel;
  /** True for those who keep a schedule and a patient panel (physicians and the nurse practitioner). */
  readonly seesPatients: boolean;
}

export interface DemoSchedule {
  readonly schedule: WithId<Schedule>;
  readonly clinician: DemoClinician;
  readonly site: WithId<Location>;
  readonly blocks: readonly WorkBlock[];
  /** The exam room this clinician uses at this site (rooms are never shared within a day). */
  readonly room: WithId<Location>;
}

export interface DemoDirectory {
  readonly organization: WithId<Organization>;
  readonly sites: readonly WithId<Location>[];
  readonly clinicians: readonly DemoClinician[];
  readonly schedules: readonly DemoSchedule[];
  readonly payers: readonly { readonly organization: WithId<Organization>; readonly copay: number; readonly specialistCopay: number; readonly forSeniors: boolean }[];
  /** Whole days a schedule is closed (leave), as local ISO dates. */
  readonly closedDays: ReadonlyMap<string, ReadonlySet<string>>;
}

const PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

export function generateDirectory(record: DemoRecord, practiceName: string): DemoDirectory {
  const organization = record.add<Organization>(
    {
      resourceType: 'Organization',
      active: true,
      type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }],
      name: practiceName,
      telecom: [{ system: 'phone', value: '(413) 555-0100', use: 'work' }],
      address: [{ line: ['120 Main St'], city: 'Springfield', state: 'MA', postalCode: '01103', country: 'US' }],
    },
    'Organization/practice',
  );
  const site = (key: 'main' | 'riverside', name: string, line: string, postalCode: string, phone: string) =>
    record.add<Location>(
      {
        resourceType: 'Location',
        status: 'active',
        name,
        mode: 'instance',
        physicalType: { coding: [{ system: PHYSICAL_TYPE, code: 'bu', display: 'Building' }] },
        telecom: [{ system: 'phone', value: phone, use: 'work' }],
        address: { line: [line], city: 'Springfield', state: 'MA', postalCode, country: 'US' },
        managingOrganization: referenceTo(organization, practiceName),
      },
      `Location/${key}`,
    );
  const main = site('main', 'Main Street Clinic', '120 Main St', '01103', '(413) 555-0100');
  const riverside = site('riverside', 'Riverside Clinic', '45 River Rd', '01108', '(413) 555-0140');
  const sites = { main, riverside };
  const room = (parent: WithId<Location>, key: string, name: string) =>
    record.add<Location>(
      {
        resourceType: 'Location',
        status: 'active',
        name: `${parent.name} — ${name}`,
        mode: 'instance',
        physicalType: { coding: [{ system: PHYSICAL_TYPE, code: 'ro', display: 'Room' }] },
        partOf: referenceTo(parent, parent.name),
        managingOrganization: referenceTo(organization, practiceName),
      },
      `Location/${key}`,
    );
  const rooms = {
    main: ['Exam 1', 'Exam 2', 'Exam 3', 'Procedure room'].map((name, i) => room(main, `main-room-${i + 1}`, name)),
    riverside: ['Exam 1', 'Exam 2', 'Exam 3'].map((name, i) => room(riverside, `riverside-room-${i + 1}`, name)),
  };

  record.add<CodeSystem>(
    {
      resourceType: 'CodeSystem',
      url: APPOINTMENT_TYPE_SYSTEM,
      name: 'AppointmentType',
      title: `${practiceName} appointment types`,
      status: 'active',
      content: 'complete',
      caseSensitive: true,
      property: [{ code: 'duration', description: 'Length of the appointment in minutes', type: 'integer' }],
      concept: DEMO_APPOINTMENT_TYPES.map((t) => ({ code: t.code, display: t.display, property: [{ code: 'duration', valueInteger: t.minutes }] })),
    },
    'CodeSystem/appointment-type',
  );

  const clinicians: DemoClinician[] = [];
  const schedules: DemoSchedule[] = [];
  const roomsTaken = { main: 0, riverside: 0 };
  CLINICIANS.forEach((plan, n) => {
    const display = plan.degree === 'RN' ? `${plan.given} ${plan.family}, RN` : `${plan.degree === 'MD' ? 'Dr. ' : ''}${plan.given} ${plan.family}${plan.degree === 'NP' ? ', NP' : ''}`;
    const practitioner = record.add<Practitioner>(
      {
        resourceType: 'Practitioner',
        active: true,
        identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: demoNpi(n) }],
        name: [{ use: 'official', family: plan.family, given: [plan.given], ...(plan.degree === 'MD' ? { prefix: ['Dr.'] } : {}), suffix: [plan.degree] }],
        gender: plan.gender,
        telecom: [{ system: 'email', value: `${plan.given.toLowerCase()}.${plan.family.toLowerCase()}@clinic.example.org`, use: 'work' }],
        qualification: [{ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0360', code: plan.degree, display: DEGREES[plan.degree] }], text: DEGREES[plan.degree] } }],
      },
      `Practitioner/${plan.key}`,
    );
    const clinician: DemoClinician = { key: plan.key, practitioner, display, panel: plan.panel, seesPatients: plan.hours.length > 0 };
    clinicians.push(clinician);
    const siteKeys = plan.hours.length ? plan.hours.map((h) => h.site) : (['main'] as const);
    record.add<PractitionerRole>({
      resourceType: 'PractitionerRole',
      active: true,
      practitioner: referenceTo(practitioner, display),
      organization: referenceTo(organization, practiceName),
      code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: plan.degree === 'RN' ? 'nurse' : 'doctor', display: plan.degree === 'RN' ? 'Nurse' : 'Doctor' }] }],
      specialty: [{ coding: [{ system: 'http://nucc.org/provider-taxonomy', code: plan.specialty.code, display: plan.specialty.display }], text: plan.specialty.display }],
      location: siteKeys.map((key) => referenceTo(sites[key], sites[key].name)),
    });
    for (const hours of plan.hours) {
      const location = sites[hours.site];
      const schedule = record.add<Schedule>({
        resourceType: 'Schedule',
        active: true,
        serviceType: [{ text: plan.specialty.display }],
        actor: [referenceTo(practitioner, display), referenceTo(location, location.name)],
        comment: `${display} at ${location.name}`,
        extension: [{ url: TIMEZONE_URL, valueCode: record.timeZone }, ...hours.blocks.map(availabilityExtension)],
      });
      const siteRooms = rooms[hours.site];
      schedules.push({ schedule, clinician, site: location, blocks: hours.blocks, room: siteRooms[roomsTaken[hours.site]++ % siteRooms.length]! });
    }
  });

  const payer = (key: string, name: string, payerId: string) =>
    record.add<Organization>(
      {
        resourceType: 'Organization',
        active: true,
        identifier: [{ system: 'https://unichart.dev/fhir/payer-id', value: payerId }],
        type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'pay', display: 'Payer' }] }],
        name,
        telecom: [{ system: 'phone', value: '(800) 555-0199', use: 'work' }],
      },
      `Organization/${key}`,
    );
  const payers = [
    { organization: payer('payer-harbor', 'Blue Harbor Health Plan', 'BHHP1'), copay: 25, specialistCopay: 40, forSeniors: false },
    { organization: payer('payer-keystone', 'Keystone Medicare Advantage', 'KMA02'), copay: 10, specialistCopay: 20, forSeniors: true },
  ];

  const closedDays = addExceptions(record, schedules, main);
  return { organization, sites: [main, riverside], clinicians, schedules, payers, closedDays };
}

function availabilityExtension(block: WorkBlock): Extension {
  return {
    url: AVAILABILITY_URL,
    extension: [
      ...block.days.map((valueCode) => ({ url: 'daysOfWeek', valueCode })),
      { url: 'availableStartTime', valueTime: `${block.start}:00` },
      { url: 'availableEndTime', valueTime: `${block.end}:00` },
      ...(block.types ?? []).map((valueCode) => ({ url: 'appointmentType', valueCode })),
    ],
  };
}

/**
 * Leave and a holiday, as the scheduling module reads them: a day off for Dr. Okafor next week
 * (a busy-unavailable Slot on his schedule) and the clinic's next public holiday after the
 * demo's two weeks (a Slot on the site's own schedule, which closes it for everyone).
 */
function addExceptions(record: DemoRecord, schedules: readonly DemoSchedule[], main: WithId<Location>): Map<string, Set<string>> {
  const closed = new Map<string, Set<string>>();
  const weekStart = record.now.startOf('week');
  const leave = schedules.find((s) => s.clinician.key === 'okafor' && s.site.id === main.id)!;
  const leaveDay = weekStart.plus({ weeks: 1, days: 3 }); // next Thursday
  closeDay(record, leave.schedule, leaveDay, 'Annual leave');
  closed.set(leave.schedule.id, new Set([leaveDay.toISODate()!]));

  const clinic = record.add<Schedule>({
    resourceType: 'Schedule',
    active: true,
    actor: [referenceTo(main, main.name)],
    comment: `${main.name}: closures that apply to everyone there`,
    extension: [{ url: TIMEZONE_URL, valueCode: record.timeZone }],
  });
  const holiday = nextHoliday(weekStart.plus({ weeks: 2 }));
  closeDay(record, clinic, holiday.day, holiday.name);
  return closed;
}

function closeDay(record: DemoRecord, schedule: WithId<Schedule>, day: DateTime, comment: string): void {
  record.add<Slot>({
    resourceType: 'Slot',
    schedule: referenceTo(schedule),
    status: 'busy-unavailable',
    start: day.startOf('day').toUTC().toISO()!,
    end: day.plus({ days: 1 }).startOf('day').toUTC().toISO()!,
    comment,
  });
}

/** The first US public holiday a clinic closes for, on or after the day. */
function nextHoliday(from: DateTime): { day: DateTime; name: string } {
  const candidates = [from.year, from.year + 1].flatMap((year) => {
    const base = from.set({ year, month: 1, day: 1 }).startOf('day');
    const nth = (month: number, weekday: number, n: number) => {
      const first = base.set({ month, day: 1 });
      return first.plus({ days: ((weekday - first.weekday + 7) % 7) + 7 * (n - 1) });
    };
    const lastMonday = (month: number) => {
      const last = base.set({ month }).endOf('month').startOf('day');
      return last.minus({ days: (last.weekday - 1 + 7) % 7 });
    };
    return [
      { day: base, name: "New Year's Day" },
      { day: lastMonday(5), name: 'Memorial Day' },
      { day: base.set({ month: 7, day: 4 }), name: 'Independence Day' },
      { day: nth(9, 1, 1), name: 'Labor Day' },
      { day: nth(11, 4, 4), name: 'Thanksgiving Day' },
      { day: base.set({ month: 12, day: 25 }), name: 'Christmas Day' },
    ];
  });
  return candidates.filter((c) => c.day >= from.startOf('day')).sort((a, b) => a.day.toMillis() - b.day.toMillis())[0]!;
}

/** A well-formed NPI (Luhn check digit over the 80840 prefix) in a range no real provider holds. */
function demoNpi(n: number): string {
  const body = `99900000${n}`.slice(0, 9);
  const digits = `80840${body}`.split('').map(Number);
  let sum = 0;
  digits.reverse().forEach((d, i) => {
    const v = i % 2 === 0 ? d * 2 : d;
    sum += v > 9 ? v - 9 : v;
  });
  return `${body}${(10 - (sum % 10)) % 10}`;
}
