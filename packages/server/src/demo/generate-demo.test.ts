import type { Appointment, CodeSystem, Coverage, Encounter, Location, Observation, Organization, Patient, Practitioner, PractitionerRole, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { validateResource } from '@unichart/fhir';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../identity/passwords.js';
import { parseScheduleTemplate } from '../scheduling/availability.js';
import { generateDemoPractice, type DemoPractice } from './generate-demo.js';
import { DEMO_EMAIL_DOMAIN, DEMO_PASSWORD } from './load-demo.js';

const ZONE = 'America/New_York';
// A Wednesday at 10:05 in the clinics' zone: the morning's visits are done, some patients are in.
const WEDNESDAY = DateTime.fromISO('2026-11-18T10:05:00', { zone: ZONE }).toJSDate();
const all = (demo: DemoPractice): Resource[] => [...demo.core, ...demo.history()];
const ofType = <T extends Resource>(demo: DemoPractice, type: T['resourceType']) => all(demo).filter((r): r is T & { id: string } => r.resourceType === type);

/** The time each practitioner (and room) is held, as the database's booking rows would hold it. */
const HOLDS_TIME = new Set(['pending', 'booked', 'arrived', 'checked-in', 'fulfilled']);

// Generating a practice of 250 patients takes a second or two, more on a busy machine.
describe('the demo generator', { timeout: 60_000 }, () => {
  const demo = generateDemoPractice({ timeZone: ZONE, now: WEDNESDAY });

  it('gives the same practice, resource for resource, for the same seed and moment', () => {
    const again = generateDemoPractice({ timeZone: ZONE, now: WEDNESDAY });
    expect(JSON.stringify(all(again))).toBe(JSON.stringify(all(demo)));
    const other = generateDemoPractice({ timeZone: ZONE, now: WEDNESDAY, seed: 7 });
    expect(JSON.stringify(other.core)).not.toBe(JSON.stringify(demo.core));
  });

  it('names the accounts’ Practitioner and Patient by the same ids on another day (an interrupted first start retried later)', () => {
    const later = generateDemoPractice({ timeZone: ZONE, now: new Date(WEDNESDAY.getTime() + 3 * 86_400_000) });
    expect(later.accounts).toEqual(demo.accounts);
  });

  it('is a practice: several practitioners with specialties, two clinics with rooms, payers, coverage with copays, a few hundred patients', () => {
    expect(ofType<Practitioner>(demo, 'Practitioner').length).toBeGreaterThanOrEqual(5);
    expect(ofType<PractitionerRole>(demo, 'PractitionerRole').every((r) => r.specialty?.[0]?.coding?.[0]?.system === 'http://nucc.org/provider-taxonomy')).toBe(true);
    const locations = ofType<Location>(demo, 'Location');
    expect(locations.filter((l) => l.physicalType?.coding?.[0]?.code === 'bu')).toHaveLength(2);
    expect(locations.filter((l) => l.physicalType?.coding?.[0]?.code === 'ro').length).toBeGreaterThanOrEqual(4);
    const payers = ofType<Organization>(demo, 'Organization').filter((o) => o.identifier?.some((i) => i.system === 'https://unichart.dev/fhir/payer-id'));
    expect(payers).toHaveLength(2);
    const coverages = ofType<Coverage>(demo, 'Coverage');
    expect(coverages.length).toBeGreaterThan(150);
    expect(coverages.every((c) => c.costToBeneficiary?.some((cost) => cost.valueMoney?.value))).toBe(true);
    expect(ofType<Patient>(demo, 'Patient')).toHaveLength(250);
    expect(ofType<CodeSystem>(demo, 'CodeSystem')[0]).toMatchObject({ url: 'https://unichart.dev/fhir/CodeSystem/appointment-type' });
  });

  it('gives patients histories over several years: problems, medications, allergies, vaccines, visits and results with reference ranges', () => {
    for (const type of ['Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization', 'Encounter', 'DiagnosticReport']) {
      expect(all(demo).some((r) => r.resourceType === type), type).toBe(true);
    }
    const portal = demo.accounts.find((a) => a.role === 'patient')!.fhirUser!;
    const pressures = ofType<Observation>(demo, 'Observation').filter((o) => o.subject?.reference === portal && o.code.coding?.[0]?.code === '85354-9');
    const years = new Set(pressures.map((o) => o.effectiveDateTime!.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(4);
    expect(pressures.every((o) => o.component?.every((c) => c.referenceRange?.[0]?.high))).toBe(true);
    const ldl = ofType<Observation>(demo, 'Observation').filter((o) => o.subject?.reference === portal && o.code.coding?.[0]?.code === '18262-6');
    expect(ldl.length).toBeGreaterThanOrEqual(3);
  });

  it('has weekly templates and an exception or holiday the scheduling module reads', () => {
    const schedules = ofType<Schedule>(demo, 'Schedule');
    const templates = schedules.map((s) => parseScheduleTemplate(s, 'UTC'));
    expect(templates.filter((t) => t.blocks.length > 0).length).toBeGreaterThanOrEqual(5);
    expect(templates.every((t) => t.timeZone === ZONE)).toBe(true);
    const closures = ofType<Slot>(demo, 'Slot').filter((s) => s.status === 'busy-unavailable');
    expect(closures.map((s) => s.comment)).toEqual(expect.arrayContaining(['Annual leave']));
    expect(closures).toHaveLength(2);
  });

  it('fills this week and next without ever holding a practitioner or room twice at once, nor a patient twice a day', () => {
    const appointments = ofType<Appointment>(demo, 'Appointment');
    const monday = DateTime.fromJSDate(WEDNESDAY, { zone: ZONE }).startOf('week');
    const thisWeek = appointments.filter((a) => a.start && DateTime.fromISO(a.start) >= monday && DateTime.fromISO(a.start) < monday.plus({ weeks: 1 }));
    expect(thisWeek.length).toBeGreaterThan(150);
    const held = new Map<string, [number, number][]>();
    const patientDays = new Set<string>();
    for (const a of appointments.filter((x) => x.start)) {
      const patient = a.participant.find((p) => p.actor?.reference?.startsWith('Patient/'))!.actor!.reference!;
      const day = `${patient} ${DateTime.fromISO(a.start!, { zone: ZONE }).toISODate()}`;
      expect(patientDays.has(day), day).toBe(false);
      patientDays.add(day);
      if (!HOLDS_TIME.has(a.status)) continue;
      for (const p of a.participant) {
        const actor = p.actor!.reference!;
        if (actor.startsWith('Patient/')) continue;
        held.set(actor, [...(held.get(actor) ?? []), [Date.parse(a.start!), Date.parse(a.end!)]]);
      }
    }
    for (const [actor, intervals] of held) {
      if (actor.startsWith('Location/')) continue; // clinic buildings are not exclusive; rooms are never booked here
      const sorted = intervals.sort((x, y) => x[0] - y[0]);
      sorted.slice(1).forEach(([start], i) => expect(start, actor).toBeGreaterThanOrEqual(sorted[i]![1]));
    }
    const rooms = new Set(ofType<Location>(demo, 'Location').filter((l) => l.physicalType?.coding?.[0]?.code === 'ro').map((l) => `Location/${l.id}`));
    expect(appointments.some((a) => a.participant.some((p) => rooms.has(p.actor?.reference ?? '')))).toBe(false);
  });

  it('shows the day as it stands: visits done, missed or cancelled, patients checked in with Encounters, later ones booked, a waitlist', () => {
    const appointments = ofType<Appointment>(demo, 'Appointment');
    const statuses = new Set(appointments.map((a) => a.status));
    for (const status of ['fulfilled', 'noshow', 'cancelled', 'arrived', 'booked', 'waitlist']) expect(statuses, status).toContain(status);
    const encounters = ofType<Encounter>(demo, 'Encounter').filter((e) => e.appointment?.length);
    const byAppointment = new Map(encounters.map((e) => [e.appointment![0]!.reference, e]));
    const now = WEDNESDAY.getTime();
    for (const a of appointments) {
      const encounter = byAppointment.get(`Appointment/${a.id}`);
      if (a.status === 'arrived') expect(encounter?.status).toMatch(/arrived|triaged|in-progress/);
      if (a.status === 'fulfilled') expect(encounter?.status).toBe('finished');
      if (a.status === 'booked' || a.status === 'cancelled' || a.status === 'noshow') expect(encounter).toBeUndefined();
      if (a.status === 'booked') expect(Date.parse(a.start!)).toBeGreaterThan(now);
      if (a.status === 'fulfilled' || a.status === 'noshow') expect(Date.parse(a.end!)).toBeLessThanOrEqual(now);
    }
    const waitlist = appointments.filter((a) => a.status === 'waitlist');
    expect(waitlist.every((a) => a.requestedPeriod?.[0]?.start && !a.start)).toBe(true);
  });

  it('on a Saturday, this week is history and next week is booked', () => {
    const saturday = generateDemoPractice({ timeZone: ZONE, now: DateTime.fromISO('2026-11-21T09:00:00', { zone: ZONE }).toJSDate(), patients: 60 });
    const appointments = ofType<Appointment>(saturday, 'Appointment');
    expect(appointments.filter((a) => a.status === 'fulfilled').length).toBeGreaterThan(50);
    expect(appointments.filter((a) => a.status === 'booked').length).toBeGreaterThan(50);
  });

  it('refers only to resources it generates, with ids unique', () => {
    const resources = all(demo);
    const ids = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    expect(ids.size).toBe(resources.length);
    const references = JSON.stringify(resources).match(/"reference":"[^"]+"/g) ?? [];
    const dangling = references.map((r) => r.slice(13, -1)).filter((r) => !ids.has(r));
    expect(dangling).toEqual([]);
  });

  it('has demo sign-ins for every role, with a password the sign-in rules accept', () => {
    expect(demo.accounts.map((a) => a.role).sort()).toEqual(['biller', 'front-desk', 'nurse', 'patient', 'physician']);
    for (const account of demo.accounts) expect(passwordProblem(DEMO_PASSWORD, `${account.localPart}@${DEMO_EMAIL_DOMAIN}`)).toBeUndefined();
  });
});

describe('every generated resource', () => {
  it('passes validation', () => {
    const demo = generateDemoPractice({ timeZone: 'Europe/Berlin', now: WEDNESDAY, patients: 80 });
    const problems: string[] = [];
    for (const resource of all(demo)) {
      try {
        validateResource(resource);
      } catch (error) {
        problems.push(`${resource.resourceType}/${resource.id}: ${JSON.stringify((error as { issues?: unknown }).issues ?? String(error))}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  }, 120_000);
});
