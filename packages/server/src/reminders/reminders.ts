import { FhirError, parseSearchRequest } from '@unichart/fhir';
import type { Appointment, Communication, Patient, Practitioner } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import type { Database, SqlClient } from '../db/database.js';
import type { FhirRepository, RepositoryTransaction } from '../fhir/repository.js';
import { enqueueJob, type ClaimedJob } from '../jobs/job-queue.js';
import { listPractices, readPracticeSetting } from '../practice/practices.js';
import type { Channel } from './channels.js';
import type { ReminderLinks } from './reminder-links.js';

export const REMINDER_JOB = 'appointment-reminder';
export const REMINDER_PREFERENCE_URL = 'https://unichart.dev/fhir/StructureDefinition/reminder-preference';
const REMINDER_IDENTIFIER = 'https://unichart.dev/fhir/reminder';
/** A reminder planned too late to be useful (the appointment is sooner than its lead time, by this much) is skipped. */
const GRACE_MS = 15 * 60_000;
const PLANNED_STATUSES = 'booked,pending';

export interface ReminderOptions {
  readonly db: Database;
  readonly repositoryFor: (tenantId: string) => Promise<FhirRepository>;
  readonly channels: { readonly email: Channel; readonly sms: Channel };
  readonly links: ReminderLinks;
  /** Where reply links point (the server's public origin). */
  readonly publicUrl: string;
  /** Hours before an appointment that reminders go out, unless the practice set its own. */
  readonly defaultHours: readonly number[];
  readonly timeZone: string;
  readonly now?: () => Date;
}

interface ReminderPayload {
  readonly appointmentId: string;
  readonly start: string;
  readonly hoursBefore: number;
}

/**
 * Appointment reminders. The planner looks ahead at booked appointments and queues one job per
 * reminder (idempotent by appointment, start time and lead time), so a restart or a second
 * server copy plans nothing twice and a moved appointment gets fresh reminders. The job, when
 * due, re-reads the appointment (cancelled or moved: nothing is sent), honours the patient's
 * preference and opt-out, sends, and records a Communication in the chart.
 */
export class Reminders {
  private readonly now: () => Date;
  private readonly practiceNames = new Map<string, string>();

  constructor(private readonly options: ReminderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Queues the reminders due within the look-ahead for every practice; returns how many were new. */
  async planAll(): Promise<number> {
    let planned = 0;
    for (const practice of await listPractices(this.options.db)) {
      this.practiceNames.set(practice.id, practice.name);
      planned += await this.plan(practice.id);
    }
    return planned;
  }

  async plan(tenantId: string): Promise<number> {
    const hours = await this.hoursFor(tenantId);
    if (hours.length === 0) return 0;
    const now = this.now();
    const horizon = new Date(now.getTime() + (Math.max(...hours) + 1) * 3_600_000);
    const repo = await this.options.repositoryFor(tenantId);
    return repo.transaction(async (tx) => {
      let planned = 0;
      const result = await tx.search(
        parseSearchRequest('Appointment', new URLSearchParams({ status: PLANNED_STATUSES, date: `ge${now.toISOString()}`, _count: '1000' })),
      );
      for (const match of result.matches) {
        const appointment = JSON.parse(match.content) as Appointment;
        if (!appointment.start || new Date(appointment.start) > horizon) continue;
        for (const hoursBefore of hours) {
          const runAt = new Date(new Date(appointment.start).getTime() - hoursBefore * 3_600_000);
          if (runAt.getTime() < now.getTime() - GRACE_MS) continue;
          const payload: ReminderPayload = { appointmentId: appointment.id!, start: appointment.start, hoursBefore };
          const queued = await enqueueJob(tx.sql, tenantId, { kind: REMINDER_JOB, dedupeKey: `reminder|${appointment.id}|${appointment.start}|${hoursBefore}`, payload, runAt });
          if (queued) planned++;
        }
      }
      return planned;
    });
  }

  /** The job: send one reminder, or say why not. Safe to repeat. */
  async send(job: ClaimedJob): Promise<string> {
    const payload = job.payload as ReminderPayload;
    const repo = await this.options.repositoryFor(job.tenantId);
    const tx = repo.reader();
    const appointment = await readOptional<Appointment>(tx, 'Appointment', payload.appointmentId);
    if (!appointment || !PLANNED_STATUSES.split(',').includes(appointment.status) || appointment.start !== payload.start) {
      return 'skipped: the appointment was cancelled or moved';
    }
    const patientRef = appointment.participant.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
    const patient = patientRef ? await readOptional<Patient>(tx, 'Patient', patientRef.split('/')[1]!) : undefined;
    if (!patient) return 'skipped: no patient';
    const route = contactRoute(patient);
    if (!route) return 'skipped: the patient does not want reminders or has no email or phone';
    const practitionerRef = appointment.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.reference;
    const practitioner = practitionerRef ? await readOptional<Practitioner>(tx, 'Practitioner', practitionerRef.split('/')[1]!) : undefined;
    const practice = await this.practiceName(job.tenantId);

    const token = this.options.links.sign({ tenantId: job.tenantId, appointmentId: appointment.id!, start: appointment.start, expires: new Date(appointment.start).getTime() });
    const link = `${this.options.publicUrl}/reminders/${token}`;
    const when = appointmentTime(appointment.start, this.options.timeZone);
    const withWhom = practitioner ? ` with ${personName(practitioner)}` : '';
    const channel = this.options.channels[route.medium];
    const message =
      route.medium === 'email'
        ? {
            id: job.id,
            to: route.address,
            subject: `Reminder: your appointment on ${when}`,
            text: `Hello ${firstName(patient)},\n\nThis is ${practice} reminding you of your appointment${withWhom} on ${when}.\n\nConfirm or cancel: ${link}\n\nIf you need to reschedule, please call us.`,
          }
        : { id: job.id, to: route.address, subject: `${practice}: appointment${withWhom} ${when}.`, text: `Confirm or cancel: ${link}` };
    await channel.send(message);
    await repo.transaction((write) =>
      write.create(
        {
          resourceType: 'Communication',
          identifier: [{ system: REMINDER_IDENTIFIER, value: job.id }],
          status: 'completed',
          category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'reminder' }] }],
          medium: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode', code: route.medium === 'email' ? 'EMAILWRIT' : 'SMSWRIT' }] }],
          subject: { reference: patientRef! },
          about: [{ reference: `Appointment/${appointment.id}` }],
          recipient: [{ reference: patientRef! }],
          sent: this.now().toISOString(),
          payload: [{ contentString: `${message.subject}\n${message.text}` }],
        } satisfies Communication,
        // A send repeated after a crash records the reminder once.
        { ifNoneExist: `identifier=${REMINDER_IDENTIFIER}|${job.id}` },
      ),
    );
    return `sent by ${route.medium} (${channel.via})`;
  }

  /** Names are read with every planning round, not with every message. */
  private async practiceName(tenantId: string): Promise<string> {
    if (!this.practiceNames.has(tenantId)) for (const practice of await listPractices(this.options.db)) this.practiceNames.set(practice.id, practice.name);
    return this.practiceNames.get(tenantId) ?? 'your practice';
  }

  private async hoursFor(tenantId: string): Promise<number[]> {
    return (await this.options.db.transaction(tenantId, (sql) => practiceReminderHours(sql, tenantId))) ?? [...this.options.defaultHours];
  }
}

/** Where a practice keeps its own lead times (`{"hoursBefore": [48, 2]}`), set by an administrator. */
export const REMINDER_SETTING_KEY = 'reminders';

export async function practiceReminderHours(sql: SqlClient, tenantId: string): Promise<number[] | undefined> {
  const own = (await readPracticeSetting<{ hoursBefore?: unknown }>(sql, tenantId, REMINDER_SETTING_KEY))?.hoursBefore;
  return Array.isArray(own) && own.every((h) => typeof h === 'number' && h > 0) ? (own as number[]) : undefined;
}

/** Email or text, as the patient prefers; none when they opted out. */
export function contactRoute(patient: Patient): { medium: 'email' | 'sms'; address: string } | undefined {
  const preference = patient.extension?.find((e) => e.url === REMINDER_PREFERENCE_URL)?.valueCode;
  if (preference === 'none') return undefined;
  const usable = (patient.telecom ?? []).filter((t) => t.value && !t.period?.end).sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
  const email = usable.find((t) => t.system === 'email')?.value;
  const mobile = usable.find((t) => t.system === 'sms' || (t.system === 'phone' && t.use === 'mobile'))?.value;
  if (preference === 'sms') return mobile ? { medium: 'sms', address: mobile } : email ? { medium: 'email', address: email } : undefined;
  return email ? { medium: 'email', address: email } : mobile ? { medium: 'sms', address: mobile } : undefined;
}

/** An appointment's start as a patient reads it in a reminder or on its page: "Tuesday, March 3 at 9:30 AM", the practice's time. */
export function appointmentTime(start: string, timeZone: string): string {
  return DateTime.fromISO(start, { zone: timeZone }).toFormat("cccc, LLLL d 'at' h:mm a");
}

/** A resource, or undefined when it does not exist (any other failure is thrown). */
export async function readOptional<T>(tx: RepositoryTransaction, type: string, id: string): Promise<T | undefined> {
  try {
    return JSON.parse((await tx.read(type, id)).content!) as T;
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}

function firstName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
  return name?.given?.[0] ?? 'there';
}

function personName(practitioner: Practitioner): string {
  const name = practitioner.name?.[0];
  if (!name) return 'your clinician';
  return name.text ?? [name.prefix?.[0] ?? 'Dr', name.given?.[0], name.family].filter(Boolean).join(' ');
}
