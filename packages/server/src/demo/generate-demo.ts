import type { Resource } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { generateCalendar, type CalendarSummary } from './demo-calendar.js';
import { generateDirectory } from './demo-directory.js';
import { generateHistory } from './demo-history.js';
import { generatePatients } from './demo-patients.js';
import { DemoRecord, type WithId } from './demo-record.js';

export const DEMO_SEED = 20261126;
export const DEMO_PATIENTS = 250;

export interface DemoOptions {
  readonly seed?: number;
  /** The calendar is laid out around this moment (default: now). */
  readonly now?: Date;
  /** IANA zone of the practice's clinics. */
  readonly timeZone: string;
  readonly patients?: number;
  readonly practiceName?: string;
}

export type DemoRole = 'front-desk' | 'physician' | 'nurse' | 'biller' | 'patient';

/** A demo sign-in to create, naming the FHIR resource the person is, if any. */
export interface DemoAccountPlan {
  readonly role: DemoRole;
  readonly localPart: string;
  readonly displayName: string;
  readonly fhirUser?: string;
}

export interface DemoPractice {
  /** The directory, patients, coverage and calendar. */
  readonly core: readonly WithId<Resource>[];
  /** The patients' past visits, problems, medications, results, vaccines and allergies (generated on first call). */
  readonly history: () => readonly WithId<Resource>[];
  readonly accounts: readonly DemoAccountPlan[];
  readonly patients: number;
  readonly calendar: CalendarSummary;
}

/**
 * The demo practice as FHIR resources with their ids, from a seed: the same seed, moment and
 * time zone give the same practice, resource for resource. Nothing here touches a database.
 */
export function generateDemoPractice(options: DemoOptions): DemoPractice {
  const seed = options.seed ?? DEMO_SEED;
  const now = DateTime.fromJSDate(options.now ?? new Date(), { zone: options.timeZone });
  if (!now.isValid) throw new Error(`"${options.timeZone}" is not a known time zone`);
  const record = new DemoRecord(seed, now);
  const directory = generateDirectory(record, options.practiceName ?? 'Unichart Demo Practice');
  const patients = generatePatients(record, directory, Math.max(1, options.patients ?? DEMO_PATIENTS));
  const calendar = generateCalendar(record, directory, patients);
  // Generated when first asked for: a first start writes the core before it needs the charts.
  let history: readonly WithId<Resource>[] | undefined;
  const generateCharts = () => {
    if (!history) {
      record.phase = 'history';
      for (const patient of patients) generateHistory(record, directory, patient);
      history = record.history;
    }
    return history;
  };

  const clinician = (key: string) => directory.clinicians.find((c) => c.key === key)!;
  const portal = patients[0]!;
  const accounts: DemoAccountPlan[] = [
    { role: 'front-desk', localPart: 'frontdesk', displayName: 'Sam Rivera (front desk)' },
    { role: 'physician', localPart: 'dr.alvarez', displayName: clinician('alvarez').display, fhirUser: `Practitioner/${clinician('alvarez').practitioner.id}` },
    { role: 'nurse', localPart: 'nurse.reyes', displayName: clinician('reyes').display, fhirUser: `Practitioner/${clinician('reyes').practitioner.id}` },
    { role: 'biller', localPart: 'billing', displayName: 'Jordan Lee (billing)' },
    { role: 'patient', localPart: 'grace.miller', displayName: 'Grace Miller', fhirUser: `Patient/${portal.patient.id}` },
  ];
  return { core: record.core, history: generateCharts, accounts, patients: patients.length, calendar };
}
