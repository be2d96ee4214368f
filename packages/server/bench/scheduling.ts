import { runLoad, type LoadResult } from './load.js';
import { createRandom, patient } from './workload.js';

const AVAILABILITY_URL = 'https://unichart.dev/fhir/StructureDefinition/availability';
const TYPE_SYSTEM = 'https://unichart.dev/fhir/CodeSystem/appointment-type';
const PRACTITIONERS = 20;
const WEEKS = 4;
/** Weeks of free times offered to the booking load: past the measured four, so a fast run never runs out. */
const BOOKABLE_WEEKS = 16;
const DAY = 86_400_000;

interface Practice {
  readonly practitioners: string[];
  readonly patients: string[];
  /** Follow-up times left free by the seeding, for the booking load to take one each. */
  readonly freeTimes: { practitioner: string; start: string }[];
  readonly firstDay: Date;
  readonly booked: number;
}

/**
 * A practice of 20 practitioners with weekday schedules (8-12 any type, 13-17 follow-ups),
 * every other afternoon time already booked over the four weeks measured.
 */
async function seedPractice(origin: string, headers: Record<string, string>): Promise<Practice> {
  const post = async (body: unknown, path = ''): Promise<{ entry?: { response?: { location?: string; status?: string } }[]; id?: string }> => {
    const response = await fetch(`${origin}/fhir/R4${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as { entry?: { response?: { location?: string } }[] };
  };
  const created = async (resources: Record<string, unknown>[]): Promise<string[]> => {
    const bundle = await post({ resourceType: 'Bundle', type: 'transaction', entry: resources.map((resource) => ({ resource, request: { method: 'POST', url: resource.resourceType } })) });
    return bundle.entry!.map((e) => e.response!.location!.split('/_history')[0]!.split('/').pop()!);
  };
  const random = createRandom(31);
  const [site] = await created([{ resourceType: 'Location', name: 'Bench clinic' }]);
  const practitioners = await created(Array.from({ length: PRACTITIONERS }, (_, i) => ({ resourceType: 'Practitioner', name: [{ family: `Bench${i}`, given: ['Doc'] }] })));
  const patients = await created(Array.from({ length: 200 }, () => patient(random)));
  const block = (start: string, end: string, types: string[] = []) => ({
    url: AVAILABILITY_URL,
    extension: [
      ...['mon', 'tue', 'wed', 'thu', 'fri'].map((valueCode) => ({ url: 'daysOfWeek', valueCode })),
      { url: 'availableStartTime', valueTime: start },
      { url: 'availableEndTime', valueTime: end },
      ...types.map((valueCode) => ({ url: 'appointmentType', valueCode })),
    ],
  });
  await created(
    practitioners.map((p) => ({
      resourceType: 'Schedule',
      active: true,
      actor: [{ reference: `Practitioner/${p}` }, { reference: `Location/${site}` }],
      extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/timezone', valueCode: 'UTC' }, block('08:00:00', '12:00:00'), block('13:00:00', '17:00:00', ['follow-up'])],
    })),
  );
  // From next Monday, four weeks of weekdays with every other 20-minute follow-up time booked; the weeks after are free.
  const today = new Date(new Date().toISOString().slice(0, 10));
  const firstDay = new Date(today.getTime() + (((8 - today.getUTCDay()) % 7) || 7) * DAY);
  const appointments: Record<string, unknown>[] = [];
  const freeTimes: Practice['freeTimes'] = [];
  for (let day = 0; day < BOOKABLE_WEEKS * 7; day++) {
    const date = new Date(firstDay.getTime() + day * DAY);
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    const measured = day < WEEKS * 7;
    for (const [n, practitioner] of practitioners.entries()) {
      for (let minute = 8 * 60; minute < 12 * 60; minute += 20) freeTimes.push({ practitioner, start: new Date(date.getTime() + minute * 60_000).toISOString() });
      for (let minute = 13 * 60; minute < 17 * 60; minute += 20) {
        const start = new Date(date.getTime() + minute * 60_000);
        if (!measured || (minute / 20 + n) % 2 === 1) {
          freeTimes.push({ practitioner, start: start.toISOString() });
          continue;
        }
        appointments.push({
          resourceType: 'Appointment',
          status: 'booked',
          appointmentType: { coding: [{ system: TYPE_SYSTEM, code: 'follow-up' }] },
          start: start.toISOString(),
          end: new Date(start.getTime() + 20 * 60_000).toISOString(),
          participant: [
            { actor: { reference: `Patient/${patients[Math.floor(random() * patients.length)]}` }, status: 'accepted' },
            { actor: { reference: `Practitioner/${practitioner}` }, status: 'accepted' },
          ],
        });
      }
    }
  }
  for (let i = 0; i < appointments.length; i += 500) await created(appointments.slice(i, i + 500));
  return { practitioners, patients, freeTimes, firstDay, booked: appointments.length };
}

/** `Appointment/$find` over 20 practitioners and four weeks, then `$book` of distinct free times by 8 clients. */
export async function measureScheduling(
  origin: string,
  headers: Record<string, string>,
  options: { concurrency: number; durationMs: number },
  emit: (bench: string, result: LoadResult, extra: Record<string, unknown>) => void,
): Promise<void> {
  const practice = await seedPractice(origin, headers);
  const start = practice.firstDay.toISOString().slice(0, 10);
  const end = new Date(practice.firstDay.getTime() + (WEEKS * 7 - 1) * DAY).toISOString().slice(0, 10);
  const find = await runLoad(origin, {
    headers,
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    next: (i) => ({ method: 'GET', path: `/fhir/R4/Appointment/$find?appointment-type=${i % 2 ? 'follow-up' : 'new-patient'}&start=${start}&end=${end}&_count=100` }),
  });
  emit('slot_find_20_practitioners_4_weeks', find, { practitioners: PRACTITIONERS, weeks: WEEKS, booked_appointments: practice.booked });
  const times = practice.freeTimes;
  const book = await runLoad(origin, {
    headers,
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    next: (i) => {
      const time = times[i % times.length]!;
      const body = {
        resourceType: 'Appointment',
        appointmentType: { coding: [{ system: TYPE_SYSTEM, code: 'follow-up' }] },
        start: time.start,
        participant: [
          { actor: { reference: `Patient/${practice.patients[i % practice.patients.length]}` } },
          { actor: { reference: `Practitioner/${time.practitioner}` } },
        ],
      };
      return { method: 'POST', path: '/fhir/R4/Appointment/$book', body: JSON.stringify(body) };
    },
  });
  // Each request takes a different free time; past the last one, every request would be a (correct) 409 error.
  emit('appointment_book', book, { free_times: times.length });
}
