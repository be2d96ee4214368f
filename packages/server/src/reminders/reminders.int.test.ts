import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirRepository } from '../fhir/repository.js';
import { JobRunner } from '../jobs/job-queue.js';
import { startSmtpSink } from '../test-support/smtp-sink.js';
import { useTestServer } from '../test-support/test-database.js';
import { OutboxChannel, SmtpChannel } from './channels.js';
import { ReminderLinks } from './reminder-links.js';
import { REMINDER_JOB, REMINDER_PREFERENCE_URL, Reminders } from './reminders.js';
import { SearchParameterRegistry } from '@unichart/fhir';

const env = useTestServer();
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let outbox: string;
let reminders: Reminders;
let runner: JobRunner;
let email: SmtpChannel;
// Signed with the server's own key, as the reminders it sends are.
let links: ReminderLinks;
const ids: Record<string, string> = {};

async function create<T extends { resourceType: string }>(resource: T): Promise<string> {
  const response = await env.server.fhir('POST', resource.resourceType, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

/** Due in two hours less a minute: its two-hour reminder is due now. */
const soon = (minutes = 119) => new Date(Date.now() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, '.000Z');
const appointment = (patient: string, start: string): Appointment => ({
  resourceType: 'Appointment',
  status: 'booked',
  start,
  end: new Date(new Date(start).getTime() + 60_000).toISOString(),
  participant: [
    { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
    { actor: { reference: `Practitioner/${ids.doctor}` }, status: 'accepted' },
  ],
});
const jobs = () => env.db.query<{ dedupe_key: string; status: string; outcome: string }>(env.server.practice.id, 'SELECT dedupe_key, status, outcome FROM job ORDER BY created_at');

beforeAll(async () => {
  smtp = await startSmtpSink();
  links = new ReminderLinks(await env.server.identity.accounts.platformSecret('reminder-links'));
  outbox = await mkdtemp(join(tmpdir(), 'unichart-outbox-'));
  email = new SmtpChannel(smtp.url, 'Main Street Clinic <desk@clinic.test>');
  const repositoryFor = async (tenantId: string) => new FhirRepository(env.db, tenantId, SearchParameterRegistry.spec());
  reminders = new Reminders({
    db: env.db,
    repositoryFor,
    channels: { email, sms: new OutboxChannel('sms', outbox) },
    links,
    publicUrl: 'https://clinic.test',
    defaultHours: [48, 2],
    timeZone: 'America/Chicago',
  });
  runner = new JobRunner(env.db, new Map([[REMINDER_JOB, (job) => reminders.send(job)]]));
  ids.doctor = await create({ resourceType: 'Practitioner', name: [{ family: 'Osei', given: ['Kwame'] }] });
  ids.byEmail = await create({ resourceType: 'Patient', name: [{ family: 'Mailer', given: ['Mia'] }], telecom: [{ system: 'email', value: 'mia@example.test' }, { system: 'phone', use: 'mobile', value: '+15550100' }] } as Patient);
  ids.bySms = await create({
    resourceType: 'Patient',
    name: [{ family: 'Texter', given: ['Tom'] }],
    telecom: [{ system: 'email', value: 'tom@example.test' }, { system: 'phone', use: 'mobile', value: '+15550111' }],
    extension: [{ url: REMINDER_PREFERENCE_URL, valueCode: 'sms' }],
  } as Patient);
  ids.optedOut = await create({ resourceType: 'Patient', name: [{ family: 'Quiet' }], telecom: [{ system: 'email', value: 'q@example.test' }], extension: [{ url: REMINDER_PREFERENCE_URL, valueCode: 'none' }] } as Patient);
});

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await rm(outbox, { recursive: true, force: true });
});

describe('appointment reminders', () => {
  it('plans each reminder once, sends by the preferred channel, honours opt-outs and records what was sent', async () => {
    ids.first = await create(appointment(ids.byEmail!, soon()));
    ids.second = await create(appointment(ids.bySms!, soon(117)));
    ids.third = await create(appointment(ids.optedOut!, soon(115)));
    // Far enough ahead that only its 48-hour reminder is planned, and not yet due.
    ids.later = await create(appointment(ids.byEmail!, soon(47 * 60)));

    expect(await reminders.plan(env.server.practice.id)).toBe(4);
    expect(await reminders.plan(env.server.practice.id)).toBe(0);
    expect(await runner.runDue()).toBe(3);

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['mia@example.test']);
    expect(mail!.subject).toMatch(/^Reminder: your appointment on /);
    expect(mail!.text).toContain('with Dr Kwame Osei');
    expect(mail!.text).toMatch(/https:\/\/clinic\.test\/reminders\/[\w-]+\.[\w-]+/);
    const texts = await readdir(outbox);
    expect(texts).toHaveLength(1);
    expect(JSON.parse(await readFile(join(outbox, texts[0]!), 'utf8'))).toMatchObject({ medium: 'sms', to: '+15550111' });
    expect((await jobs()).map((j) => j.outcome).sort()).toEqual([null, 'sent by email (smtp)', 'sent by sms (outbox)', 'skipped: the patient does not want reminders or has no email or phone'].sort());

    const communications = await env.server.fhir('GET', `Communication?subject=Patient/${ids.byEmail}&category=reminder`);
    expect(communications.body.entry).toHaveLength(1);
    expect(communications.body.entry[0].resource).toMatchObject({ status: 'completed', about: [{ reference: `Appointment/${ids.first}` }] });
    // Nothing is due any more: running again sends nothing.
    expect(await runner.runDue()).toBe(0);
    expect(smtp.received).toHaveLength(1);
  });

  it('sends nothing for an appointment cancelled or moved after its reminder was planned, and plans the moved one afresh', async () => {
    const cancelled = await create(appointment(ids.byEmail!, soon(111)));
    const moved = await create(appointment(ids.byEmail!, soon(109)));
    await reminders.plan(env.server.practice.id);
    const current = (await env.server.fhir('GET', `Appointment/${cancelled}`)).body as Appointment;
    await env.server.fhir('PUT', `Appointment/${cancelled}`, { ...current, status: 'cancelled' });
    const toMove = (await env.server.fhir('GET', `Appointment/${moved}`)).body as Appointment;
    const newStart = soon(107);
    await env.server.fhir('PUT', `Appointment/${moved}`, { ...toMove, start: newStart, end: new Date(new Date(newStart).getTime() + 60_000).toISOString() });
    const before = smtp.received.length;
    await runner.runDue();
    expect(smtp.received.length).toBe(before);
    expect(await reminders.plan(env.server.practice.id)).toBe(1);
    await runner.runDue();
    expect(smtp.received.length).toBe(before + 1);
  });

  it('uses the lead times an administrator sets for the practice', async () => {
    const settings = (method: 'GET' | 'PUT', token: string, payload?: object) =>
      env.server.request({ method, url: '/admin/settings/reminders', payload, headers: { authorization: `Bearer ${token}` } });
    expect((await settings('GET', env.server.token)).json()).toEqual({ hoursBefore: [48, 2], practiceDefault: true });
    expect((await settings('PUT', env.server.token, { hoursBefore: [0, -2] })).statusCode).toBe(400);
    expect((await settings('PUT', (await env.server.signInAs('front-desk')).token, { hoursBefore: [3] })).statusCode).toBe(403);
    expect((await settings('PUT', env.server.token, { hoursBefore: [3] })).json()).toEqual({ hoursBefore: [3], practiceDefault: false });
    await create(appointment(ids.byEmail!, soon(179)));
    expect(await reminders.plan(env.server.practice.id)).toBe(1);
    expect((await jobs()).at(-1)!.dedupe_key).toMatch(/\|3$/);
    const audit = await env.server.fhir('GET', 'AuditEvent?_count=20');
    expect(JSON.stringify(audit.body)).toContain('Reminder lead times changed from 48, 2 to 3 hours');
    expect((await settings('PUT', env.server.token, { hoursBefore: [48, 2] })).statusCode).toBe(200);
  });
});

describe('reply links', () => {
  const tokenFor = async (id: string) => {
    const stored = (await env.server.fhir('GET', `Appointment/${id}`)).body as Appointment;
    return links.sign({ tenantId: env.server.practice.id, appointmentId: id, start: stored.start!, expires: Date.now() + 3_600_000 });
  };
  const answer = (token: string, action: string) =>
    env.server.request({ method: 'POST', url: `/reminders/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `action=${action}` });

  it('shows the appointment and confirms it without signing in, as the patient on the audit trail', async () => {
    const id = await create(appointment(ids.byEmail!, soon(300)));
    const token = await tokenFor(id);
    const page = await env.server.request({ method: 'GET', url: `/reminders/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('I will be there');
    expect((await answer(token, 'confirm')).statusCode).toBe(200);
    expect((await answer(token, 'confirm')).statusCode).toBe(200);
    const responses = await env.server.fhir('GET', `AppointmentResponse?appointment=Appointment/${id}`);
    expect(responses.body.entry).toHaveLength(1);
    const audit = await env.server.fhir('GET', `AuditEvent?patient=${ids.byEmail}&_count=200`);
    expect(JSON.stringify(audit.body)).toContain('Patient (reminder reply link)');
  });

  it('cancels from the link, freeing the time; a forged, expired or outdated link does nothing', async () => {
    const id = await create(appointment(ids.byEmail!, soon(400)));
    const token = await tokenFor(id);
    const [body, mac] = token.split('.');
    expect((await env.server.request({ method: 'GET', url: `/reminders/${body}.${mac!.slice(1)}x` })).statusCode).toBe(404);
    const expired = links.sign({ tenantId: env.server.practice.id, appointmentId: id, start: ((await env.server.fhir('GET', `Appointment/${id}`)).body as Appointment).start!, expires: Date.now() - 1 });
    expect((await answer(expired, 'cancel')).statusCode).toBe(404);
    expect((await answer(token, 'maybe')).statusCode).toBe(400);

    expect((await answer(token, 'cancel')).statusCode).toBe(200);
    expect(((await env.server.fhir('GET', `Appointment/${id}`)).body as Appointment).status).toBe('cancelled');
    const retaken = await env.server.fhir('POST', 'Appointment', { ...appointment(ids.bySms!, soon(400)) });
    expect(retaken.status).toBe(201);
    // The link named the old appointment's time; a new appointment at that time is not its to touch.
    const forNew = links.sign({ tenantId: env.server.practice.id, appointmentId: retaken.body.id, start: '2001-01-01T00:00:00.000Z', expires: Date.now() + 60_000 });
    expect((await answer(forNew, 'cancel')).statusCode).toBe(404);
  });
});
