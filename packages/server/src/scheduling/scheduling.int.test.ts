import type { Appointment, Bundle, Parameters, Slot, Task } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';
import { APPOINTMENT_TYPE_SYSTEM } from './appointment-types.js';
import { AVAILABILITY_URL, TIMEZONE_URL } from './availability.js';

// Monday 4 March 2030. New York is UTC-5 until daylight saving time starts on 10 March, UTC-4 after.
const NOW = new Date('2030-03-04T05:00:00Z');
const env = useTestServer({ scheduling: { defaultTimeZone: 'UTC', now: () => NOW } });

const ids: Record<string, string> = {};
const type = (code: string) => ({ coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code }] });
const block = (days: string[], start: string, end: string, types: string[] = []) => ({
  url: AVAILABILITY_URL,
  extension: [
    ...days.map((d) => ({ url: 'daysOfWeek', valueCode: d })),
    { url: 'availableStartTime', valueTime: start },
    { url: 'availableEndTime', valueTime: end },
    ...types.map((t) => ({ url: 'appointmentType', valueCode: t })),
  ],
});
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];

async function create(resource: Record<string, unknown>): Promise<string> {
  const response = await env.server.fhir('POST', resource.resourceType as string, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

function appointment(patient: string, practitioner: string, start: string, end?: string, extra: Partial<Appointment> = {}): Appointment {
  return {
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: type('follow-up'),
    start,
    ...(end ? { end } : {}),
    participant: [
      { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${practitioner}` }, status: 'accepted' },
    ],
    ...extra,
  } as Appointment;
}

const book = (body: unknown, fhir = env.server.fhir) => fhir('POST', 'Appointment/$book', body);
const find = async (query: string): Promise<Slot[]> => {
  const response = await env.server.fhir('GET', `Appointment/$find?${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return ((response.body as Bundle).entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as Slot);
};

beforeAll(async () => {
  ids.site = await create({ resourceType: 'Location', name: 'Main Street clinic' });
  ids.room = await create({ resourceType: 'Location', name: 'Procedure room 1', physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro' }] } });
  ids.a = await create({ resourceType: 'Practitioner', name: [{ family: 'Alvarez', given: ['Ana'] }] });
  ids.b = await create({ resourceType: 'Practitioner', name: [{ family: 'Brown', given: ['Ben'] }] });
  ids.patient = await create({ resourceType: 'Patient', name: [{ family: 'Nguyen', given: ['Lan'] }] });
  ids.other = await create({ resourceType: 'Patient', name: [{ family: 'Okafor', given: ['Chidi'] }] });
  const newYork = { url: TIMEZONE_URL, valueCode: 'America/New_York' };
  // Mornings take any type; afternoons only follow-ups and telehealth; lunch is a break.
  ids.scheduleA = await create({
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `Practitioner/${ids.a}`, display: 'Dr Ana Alvarez' }, { reference: `Location/${ids.site}` }],
    extension: [newYork, block(weekdays, '08:00:00', '12:00:00'), block(weekdays, '13:00:00', '17:00:00', ['follow-up', 'telehealth'])],
  });
  ids.scheduleB = await create({
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `Practitioner/${ids.b}` }, { reference: `Location/${ids.site}` }],
    extension: [newYork, block(['mon', 'wed'], '09:00:00', '12:00:00')],
  });
  ids.siteSchedule = await create({ resourceType: 'Schedule', active: true, actor: [{ reference: `Location/${ids.site}` }], extension: [newYork] });
  // Dr Alvarez is on leave on Wednesday; the clinic is closed on Friday.
  await create({ resourceType: 'Slot', schedule: { reference: `Schedule/${ids.scheduleA}` }, status: 'busy-unavailable', start: '2030-03-06T05:00:00Z', end: '2030-03-07T05:00:00Z', comment: 'Annual leave' });
  await create({ resourceType: 'Slot', schedule: { reference: `Schedule/${ids.siteSchedule}` }, status: 'busy-unavailable', start: '2030-03-08T05:00:00Z', end: '2030-03-09T05:00:00Z', comment: 'Holiday' });
});

describe('open times ($find)', () => {
  it('offers back-to-back slots from the weekly template, in the schedule time zone, less breaks, leave and holidays', async () => {
    const slots = await find(`appointment-type=new-patient&practitioner=${ids.a}&start=2030-03-04&end=2030-03-09`);
    // New patients only in the morning block: 8:00-12:00 New York is 13:00-17:00 UTC, six 40-minute slots a day.
    const days = [...new Set(slots.map((s) => s.start!.slice(0, 10)))];
    expect(days).toEqual(['2030-03-04', '2030-03-05', '2030-03-07']);
    expect(slots).toHaveLength(18);
    expect(slots[0]).toMatchObject({ start: '2030-03-04T13:00:00.000Z', end: '2030-03-04T13:40:00.000Z', status: 'free', schedule: { reference: `Schedule/${ids.scheduleA}` } });
    expect(slots[5]!.end).toBe('2030-03-04T17:00:00.000Z');
    expect(slots.every((s) => s.appointmentType?.coding?.[0]?.code === 'new-patient')).toBe(true);
  });

  it('offers afternoon slots for the types the afternoon block takes, across practitioners, earliest first', async () => {
    const slots = await find('appointment-type=follow-up&start=2030-03-04&end=2030-03-04');
    const a = slots.filter((s) => s.schedule.reference === `Schedule/${ids.scheduleA}`);
    const b = slots.filter((s) => s.schedule.reference === `Schedule/${ids.scheduleB}`);
    expect(a).toHaveLength(24);
    expect(b).toHaveLength(9);
    expect(slots.map((s) => s.start)).toEqual([...slots.map((s) => s.start!)].sort());
    // The schedules come along, naming whose they are.
    const included = ((await env.server.fhir('GET', 'Appointment/$find?appointment-type=follow-up&start=2030-03-04&end=2030-03-04')).body as Bundle).entry!.filter((e) => e.search?.mode === 'include');
    expect(included.find((e) => e.resource!.id === ids.scheduleA)!.resource).toMatchObject({ actor: [{ reference: `Practitioner/${ids.a}`, display: 'Dr Ana Alvarez' }, { reference: `Location/${ids.site}` }] });
  });

  it('refuses impossible or unbounded requests with a 400', async () => {
    const bad = async (query: string) => (await env.server.fhir('GET', `Appointment/$find?${query}`)).status;
    expect(await bad('appointment-type=new-patient&start=2030-02-30')).toBe(400);
    expect(await bad('appointment-type=nonsense')).toBe(400);
    expect(await bad('appointment-type=follow-up&start=2030-03-04&end=2030-03-01')).toBe(400);
    expect(await bad('appointment-type=follow-up&start=2030-03-04&end=2031-03-04')).toBe(400);
  });
});

describe('booking ($book)', () => {
  it('books a slot it offered, which then is no longer offered', async () => {
    const response = await book(appointment(ids.patient!, ids.b!, '2030-03-11T14:00:00Z'));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ status: 'booked', end: '2030-03-11T14:20:00.000Z', minutesDuration: 20 });
    const slots = await find(`appointment-type=follow-up&practitioner=${ids.b}&start=2030-03-11&end=2030-03-12`);
    expect(slots.map((s) => s.start)).not.toContain('2030-03-11T14:00:00.000Z');
    expect(slots).toHaveLength(8);
  });

  it('refuses a closed block, leave, a holiday, the past and impossible dates, writing nothing', async () => {
    const before = (await env.server.fhir('GET', 'Appointment?_summary=count')).body.total;
    const expectRefused = async (body: unknown, status: number, text: string) => {
      const response = await book(body);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(response.body)).toContain(text);
    };
    // A new patient in the follow-up-only afternoon block.
    await expectRefused(appointment(ids.patient!, ids.a!, '2030-03-04T19:00:00Z', undefined, { appointmentType: type('new-patient') }), 422, 'open hours');
    // Said as the front desk reads it: the name on the schedule, the time in the schedule's zone.
    const newPatient = await book(appointment(ids.patient!, ids.a!, '2030-03-04T19:00:00Z', undefined, { appointmentType: type('new-patient') }));
    expect(newPatient.body.issue[0].diagnostics).toMatch(/^Dr Ana Alvarez does not take .+ appointments Mon 4 Mar 2030, 14:00–\d\d:\d\d \(America\/New_York\): the time is outside/);
    await expectRefused(appointment(ids.patient!, ids.a!, '2030-03-06T14:00:00Z'), 422, 'open hours');
    await expectRefused(appointment(ids.patient!, ids.b!, '2030-03-08T14:00:00Z'), 422, 'open hours');
    await expectRefused(appointment(ids.patient!, ids.a!, '2030-03-03T14:00:00Z'), 400, 'in the past');
    await expectRefused(appointment(ids.patient!, ids.a!, '2030-02-30T14:00:00Z'), 400, 'real date');
    await expectRefused(appointment(ids.patient!, ids.a!, '2030-03-04T14:00:00Z', '2030-03-04T13:00:00Z'), 400, 'must end after');
    await expectRefused({ ...appointment(ids.patient!, ids.a!, '2030-03-04T14:00:00Z'), participant: [{ actor: { reference: `Patient/${ids.patient}` }, status: 'accepted' }] }, 400, 'practitioner');
    await expectRefused(appointment(ids.patient!, ids.a!, '2030-03-04T14:00:00Z', undefined, { appointmentType: type('massage') }), 400, 'Unknown appointment type');
    expect((await env.server.fhir('GET', 'Appointment?_summary=count')).body.total).toBe(before);
  });

  it('books a weekly series all or nothing', async () => {
    const series: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'appointment', resource: appointment(ids.other!, ids.a!, '2030-03-18T13:00:00Z', undefined, { appointmentType: type('telehealth') }) },
        { name: 'count', valueInteger: 4 },
        { name: 'every-weeks', valueInteger: 1 },
      ],
    };
    // The third week is already taken: nothing of the series is written.
    const taken = await book(appointment(ids.patient!, ids.a!, '2030-04-01T13:10:00Z'));
    expect(taken.status).toBe(201);
    const refused = await book(series);
    expect(refused.status).toBe(409);
    expect(refused.body.issue[0].diagnostics).toMatch(/^Dr Ana Alvarez is already booked Mon 1 Apr 2030, 09:00–09:\d\d \(America\/New_York\); choose another time$/);
    expect((await env.server.fhir('GET', `Appointment?patient=${ids.other}&date=ge2030-03-18`)).body.entry ?? []).toHaveLength(0);

    expect((await env.server.fhir('POST', `Appointment/${taken.body.id}/$cancel`, { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Patient asked' }] })).status).toBe(200);
    const booked = await book(series);
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const starts = (booked.body as Bundle).entry!.map((e) => (e.resource as Appointment).start);
    expect(starts).toEqual(['2030-03-18T13:00:00.000Z', '2030-03-25T13:00:00.000Z', '2030-04-01T13:00:00.000Z', '2030-04-08T13:00:00.000Z']);
  });

  it('books a requested (proposed) appointment in place, keeping its id', async () => {
    const requested = await create({ ...appointment(ids.patient!, ids.b!, '2030-03-13T14:00:00Z', '2030-03-13T14:20:00Z'), status: 'proposed' });
    const response = await book({ ...appointment(ids.patient!, ids.b!, '2030-03-13T14:00:00Z'), id: requested });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body).toMatchObject({ id: requested, status: 'booked' });
  });

  it('lets a patient book for themselves only, and not a biller at all', async () => {
    const patient = await env.server.signInAs('patient', { fhirUser: `Patient/${ids.patient}` });
    expect((await book(appointment(ids.other!, ids.b!, '2030-03-13T15:00:00Z'), patient.fhir)).status).toBe(403);
    expect((await book(appointment(ids.patient!, ids.b!, '2030-03-13T15:00:00Z'), patient.fhir)).status).toBe(201);
    const biller = await env.server.signInAs('biller');
    expect((await book(appointment(ids.patient!, ids.b!, '2030-03-13T15:20:00Z'), biller.fhir)).status).toBe(403);
  });
});

describe('no double booking, enforced by the database', () => {
  it('50 concurrent $book requests for one practitioner and time: one booked, 49 clear 409s', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => book(appointment(i % 2 ? ids.patient! : ids.other!, ids.a!, `2030-03-05T${i % 2 ? '14:00' : '14:10'}:00Z`))));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = responses.filter((r) => r.status === 409);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r.body.resourceType).toBe('OperationOutcome');
    const held = await env.db.query<{ n: number }>(env.server.practice.id, `SELECT count(*)::int AS n FROM appointment_booking WHERE actor = $1 AND during && tstzrange('2030-03-05T13:00:00Z', '2030-03-05T16:00:00Z')`, [`Practitioner/${ids.a}`]);
    expect(held[0]!.n).toBe(1);
  });

  it('50 concurrent plain creates, and transaction Bundles, for overlapping times: exactly one succeeds', async () => {
    const plain = await Promise.all(Array.from({ length: 50 }, () => env.server.fhir('POST', 'Appointment', appointment(ids.patient!, ids.b!, '2030-03-20T15:00:00Z', '2030-03-20T15:30:00Z'))));
    expect(plain.filter((r) => r.status === 201)).toHaveLength(1);
    expect(plain.filter((r) => r.status === 409)).toHaveLength(49);
    expect(plain.find((r) => r.status === 409)!.body.issue[0].diagnostics).toBe(
      `The time from 2030-03-20T15:00:00Z to 2030-03-20T15:30:00Z overlaps an appointment already booked for Practitioner/${ids.b}; choose another time`,
    );

    const transaction = (start: string): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', name: [{ family: 'Walk-in' }] }, request: { method: 'POST', url: 'Patient' } },
        {
          resource: { ...appointment('x', ids.b!, start, '2030-03-20T17:00:00Z'), participant: [{ actor: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000001' }, status: 'accepted' }, { actor: { reference: `Practitioner/${ids.b}` }, status: 'accepted' }] },
          request: { method: 'POST', url: 'Appointment' },
        },
      ],
    });
    const patientsBefore = (await env.server.fhir('GET', 'Patient?name=Walk-in&_summary=count')).body.total;
    const bundles = await Promise.all(Array.from({ length: 10 }, () => env.server.fhir('POST', '', transaction('2030-03-20T16:00:00Z'))));
    expect(bundles.filter((r) => r.status === 200)).toHaveLength(1);
    expect(bundles.filter((r) => r.status === 409)).toHaveLength(9);
    // The refused transactions left no half: only one walk-in patient was created.
    expect((await env.server.fhir('GET', 'Patient?name=Walk-in&_summary=count')).body.total).toBe(patientsBefore + 1);
  });

  it('an update that moves onto taken time is refused; cancelled and no-show appointments free their time', async () => {
    const first = await env.server.fhir('POST', 'Appointment', appointment(ids.patient!, ids.b!, '2030-03-27T14:00:00Z', '2030-03-27T14:20:00Z'));
    const second = await env.server.fhir('POST', 'Appointment', appointment(ids.other!, ids.b!, '2030-03-27T14:20:00Z', '2030-03-27T14:40:00Z'));
    expect([first.status, second.status]).toEqual([201, 201]);
    const moved = await env.server.fhir('PUT', `Appointment/${second.body.id}`, { ...second.body, start: '2030-03-27T14:10:00Z', end: '2030-03-27T14:30:00Z' });
    expect(moved.status).toBe(409);
    const patched = await env.server.fhir('PATCH', `Appointment/${second.body.id}`, [{ op: 'replace', path: '/start', value: '2030-03-27T14:00:00Z' }], { 'content-type': 'application/json-patch+json' });
    expect(patched.status).toBe(409);

    expect((await env.server.fhir('PUT', `Appointment/${first.body.id}`, { ...first.body, status: 'noshow' })).status).toBe(200);
    expect((await env.server.fhir('PUT', `Appointment/${second.body.id}`, { ...second.body, start: '2030-03-27T14:10:00Z', end: '2030-03-27T14:30:00Z' })).status).toBe(200);
    const deleted = await env.server.fhir('DELETE', `Appointment/${second.body.id}`);
    expect(deleted.status).toBe(204);
    expect((await env.server.fhir('POST', 'Appointment', appointment(ids.other!, ids.b!, '2030-03-27T14:00:00Z', '2030-03-27T14:40:00Z'))).status).toBe(201);
  });

  it('a room is booked once at a time; a clinic site holds many appointments at once', async () => {
    const withPlace = (practitioner: string, place: string) => ({
      ...appointment(ids.patient!, practitioner, '2030-04-03T14:00:00Z', '2030-04-03T15:00:00Z'),
      participant: [...appointment(ids.patient!, practitioner, '').participant, { actor: { reference: `Location/${place}` }, status: 'accepted' as const }],
    });
    expect((await env.server.fhir('POST', 'Appointment', withPlace(ids.a!, ids.site!))).status).toBe(201);
    expect((await env.server.fhir('POST', 'Appointment', withPlace(ids.b!, ids.site!))).status).toBe(201);
    expect((await env.server.fhir('POST', 'Appointment', { ...withPlace(ids.a!, ids.room!), start: '2030-04-03T16:00:00Z', end: '2030-04-03T17:00:00Z' })).status).toBe(201);
    const clash = await env.server.fhir('POST', 'Appointment', { ...withPlace(ids.b!, ids.room!), start: '2030-04-03T16:30:00Z', end: '2030-04-03T17:30:00Z' });
    expect(clash.status).toBe(409);
    expect(JSON.stringify(clash.body)).toContain(`Location/${ids.room}`);
  });
});

describe('rescheduling, cancelling and the waitlist', () => {
  it('moves an appointment within the rules and frees its old time', async () => {
    const booked = await book(appointment(ids.patient!, ids.a!, '2030-03-07T13:00:00Z'));
    expect(booked.status).toBe(201);
    const move = (start: string) => env.server.fhir('POST', `Appointment/${booked.body.id}/$reschedule`, { resourceType: 'Parameters', parameter: [{ name: 'start', valueDateTime: start }] });
    // Overlapping its own current time is fine; the Friday holiday is not.
    expect((await move('2030-03-07T13:10:00Z')).status).toBe(200);
    expect((await move('2030-03-08T14:00:00Z')).status).toBe(422);
    const moved = await move('2030-03-07T15:00:00Z');
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: booked.body.id, start: '2030-03-07T15:00:00.000Z', end: '2030-03-07T15:20:00.000Z' });
    expect((await book(appointment(ids.other!, ids.a!, '2030-03-07T13:00:00Z'))).status).toBe(201);
  });

  it('cancelling needs a reason, frees the time and offers it to the first waitlisted patient who fits', async () => {
    const waiting = await create({
      resourceType: 'Appointment',
      status: 'waitlist',
      appointmentType: type('follow-up'),
      minutesDuration: 20,
      created: '2030-03-01',
      requestedPeriod: [{ start: '2030-03-10', end: '2030-03-20' }],
      participant: [{ actor: { reference: `Patient/${ids.other}` }, status: 'needs-action' }, { actor: { reference: `Practitioner/${ids.b}` }, status: 'needs-action' }],
    });
    const booked = await book(appointment(ids.patient!, ids.b!, '2030-03-13T15:40:00Z'));
    expect(booked.status).toBe(201);
    const cancel = (parameters: Parameters) => env.server.fhir('POST', `Appointment/${booked.body.id}/$cancel`, parameters);
    expect((await cancel({ resourceType: 'Parameters', parameter: [] })).status).toBe(400);
    const cancelled = await cancel({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Feeling better' }] });
    expect(cancelled.status).toBe(200);
    const [appointmentOut, offer] = (cancelled.body as Parameters).parameter!;
    expect(appointmentOut!.resource).toMatchObject({ status: 'cancelled', cancelationReason: { text: 'Feeling better' } });
    expect(offer!.resource).toMatchObject({ resourceType: 'Task', status: 'requested', focus: { reference: `Appointment/${waiting}` }, for: { reference: `Patient/${ids.other}` } });
    // Told as the desk reads a clock (the practice's time zone here is UTC), by name where the appointment gives one.
    expect((offer!.resource as Task).description).toBe(`A time is free with Practitioner/${ids.b} on Wednesday, March 13, 3:40 PM to 4:00 PM: offer it to the waitlisted patient`);
    const stored = await env.server.fhir('GET', `Task/${(offer!.resource as Task).id}`);
    expect(stored.status).toBe(200);
    expect((await book(appointment(ids.other!, ids.b!, '2030-03-13T15:40:00Z'))).status).toBe(201);
    expect((await cancel({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'again' }] })).status).toBe(409);
  });

  it('offers freed time to someone waiting for any practitioner, never to someone waiting for another one', async () => {
    const waitlisted = (patient: string, created: string, practitioner?: string) =>
      create({
        resourceType: 'Appointment',
        status: 'waitlist',
        appointmentType: type('follow-up'),
        minutesDuration: 20,
        created,
        requestedPeriod: [{ start: '2030-03-10', end: '2030-03-20' }],
        participant: [{ actor: { reference: `Patient/${patient}` }, status: 'needs-action' }, ...(practitioner ? [{ actor: { reference: `Practitioner/${practitioner}` }, status: 'needs-action' as const }] : [])],
      });
    await waitlisted(ids.other!, '2030-01-01', ids.a);
    const forAnyone = await waitlisted(ids.patient!, '2030-02-01');
    const booked = await book(appointment(ids.other!, ids.b!, '2030-03-18T14:00:00Z'));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const cancelled = await env.server.fhir('POST', `Appointment/${booked.body.id}/$cancel`, { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Travelling' }] });
    expect(cancelled.status).toBe(200);
    expect((cancelled.body as Parameters).parameter![1]!.resource).toMatchObject({ focus: { reference: `Appointment/${forAnyone}` }, for: { reference: `Patient/${ids.patient}` } });
  });
});

describe('schedule templates', () => {
  it('refuses a template that cannot be read when it is saved', async () => {
    const response = await env.server.fhir('POST', 'Schedule', {
      resourceType: 'Schedule',
      active: true,
      actor: [{ reference: `Practitioner/${ids.a}` }],
      extension: [block(['mon'], '17:00:00', '09:00:00')],
    });
    expect(response.status).toBe(400);
    expect(response.body.issue[0]).toMatchObject({ diagnostics: 'An availability block must end after it starts', expression: ['Schedule.extension[0]'] });
  });
});

describe('rooms and equipment with hours of their own', () => {
  it('offers only times when the room is open and free too, and refuses a booking outside its hours', async () => {
    // The procedure room is staffed 13:00-15:00 New York time on weekdays.
    await create({ resourceType: 'Schedule', active: true, actor: [{ reference: `Location/${ids.room}` }], extension: [{ url: TIMEZONE_URL, valueCode: 'America/New_York' }, block(weekdays, '13:00:00', '15:00:00')] });
    const withRoom = (start: string) => ({ ...appointment(ids.patient!, ids.a!, start), participant: [...appointment(ids.patient!, ids.a!, start).participant, { actor: { reference: `Location/${ids.room}` }, status: 'accepted' as const }] });
    // Monday 15 April 2030, New York on daylight time (UTC-4): the room is open 17:00-19:00 UTC.
    const slots = await find(`appointment-type=follow-up&practitioner=${ids.a}&resource=Location/${ids.room}&start=2030-04-15&end=2030-04-15`);
    expect(slots.map((s) => s.start)).toEqual(['17:00', '17:20', '17:40', '18:00', '18:20', '18:40'].map((t) => `2030-04-15T${t}:00.000Z`));

    const outside = await book(withRoom('2030-04-15T19:20:00Z'));
    expect(outside.status).toBe(422);
    expect(outside.body.issue[0].diagnostics).toContain(`Location/${ids.room} is not open`);
    expect((await book(withRoom('2030-04-15T17:20:00Z'))).status).toBe(201);
    // Dr Brown does not work Monday afternoons; Dr Alvarez's other offers skip the room's booked time.
    const after = await find(`appointment-type=follow-up&practitioner=${ids.a}&resource=Location/${ids.room}&start=2030-04-15&end=2030-04-15`);
    expect(after.map((s) => s.start)).not.toContain('2030-04-15T17:20:00.000Z');
    expect(after).toHaveLength(5);
    expect((await env.server.fhir('GET', 'Appointment/$find?appointment-type=follow-up&resource=Patient/1')).status).toBe(400);
  });
});
