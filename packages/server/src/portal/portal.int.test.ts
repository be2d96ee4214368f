import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Communication } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer, type FhirCall } from '../test-support/test-database.js';
import { InvitationLinks } from './invitation-links.js';

const outbox = await mkdtemp(join(tmpdir(), 'unichart-portal-outbox-'));
const env = useTestServer({ outbound: { channels: { mailFrom: 'Clinic <desk@clinic.test>', outboxDir: outbox }, publicUrl: 'https://portal.clinic.test' } });
const PORTAL_MESSAGE = { system: 'https://unichart.dev/fhir/CodeSystem/communication-category', code: 'portal-message' };
const ids: Record<string, string> = {};
let frontDesk: { fhir: FhirCall; token: string };

async function create(resource: { resourceType: string } & Record<string, unknown>): Promise<string> {
  const response = await env.server.fhir('POST', resource.resourceType, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

const invite = (token: string, patientId: string, body: unknown = {}) =>
  env.server.request({ method: 'POST', url: `/admin/patients/${patientId}/invite`, headers: { authorization: `Bearer ${token}` }, payload: body as object });
const post = (url: string, payload: unknown) => env.server.request({ method: 'POST', url, payload: payload as object });
const tokenOf = (link: string) => new URL(link).hash.replace(/^#invitation=/, '');

beforeAll(async () => {
  ids.patient = await create({ resourceType: 'Patient', name: [{ use: 'official', given: ['Imani'], family: 'Park' }], telecom: [{ system: 'email', value: 'imani.park@mail.test' }], birthDate: '1979-04-02' });
  ids.other = await create({ resourceType: 'Patient', name: [{ family: 'Stranger' }] });
  ids.a1c = await create({ resourceType: 'Observation', status: 'final', code: { text: 'HbA1c' }, subject: { reference: `Patient/${ids.patient}` }, valueQuantity: { value: 7.1, unit: '%' } });
  ids.otherA1c = await create({ resourceType: 'Observation', status: 'final', code: { text: 'HbA1c' }, subject: { reference: `Patient/${ids.other}` }, valueQuantity: { value: 5.2, unit: '%' } });
  ids.problem = await create({ resourceType: 'Condition', code: { text: 'Type 2 diabetes' }, subject: { reference: `Patient/${ids.patient}` } });
  frontDesk = await env.server.signInAs('front-desk');
});

afterAll(() => rm(outbox, { recursive: true, force: true }));

describe('inviting a patient to the portal', () => {
  let link: string;

  it('the front desk invites the patient: a pending account, the link returned and emailed (outbox)', async () => {
    const response = await invite(frontDesk.token, ids.patient!);
    expect(response.statusCode, response.body).toBe(201);
    const answer = JSON.parse(response.body);
    expect(answer.email).toBe('imani.park@mail.test');
    expect(answer.link).toMatch(/^https:\/\/portal\.clinic\.test\/app\/welcome#invitation=/);
    expect(answer.sent).toEqual({ medium: 'email', via: 'outbox' });
    link = answer.link;
    const files = await readdir(join(outbox, 'email'));
    expect(files).toHaveLength(1);
    const message = JSON.parse(await readFile(join(outbox, 'email', files[0]!), 'utf8'));
    expect(message.to).toBe('imani.park@mail.test');
    expect(message.text).toContain(link);
    // Pending: no password yet, so nobody can sign in to it.
    expect((await post('/auth/login', { email: 'imani.park@mail.test', password: 'anything at all 123' })).statusCode).toBe(401);
  });

  it('is refused to roles that may not edit patients, and to a patient', async () => {
    const biller = await env.server.signInAs('biller');
    expect((await invite(biller.token, ids.patient!)).statusCode).toBe(403);
    const patient = await env.server.signInAs('patient', { fhirUser: `Patient/${ids.other}` });
    expect((await invite(patient.token, ids.other!)).statusCode).toBe(403);
    expect((await invite(env.server.token, 'no-such-patient')).statusCode).toBe(404);
    // No address on file and none given.
    expect((await invite(env.server.token, ids.other!)).statusCode).toBe(400);
  });

  it('goes on the audit trail under the patient', async () => {
    const events = await env.server.fhir('GET', `AuditEvent?patient=Patient/${ids.patient}`);
    const invitations = (events.body.entry ?? []).filter((e: { resource: { subtype?: { code: string }[] } }) => e.resource.subtype?.[0]?.code === 'portal-invite');
    expect(invitations).toHaveLength(1);
  });

  it('the patient opens the link and chooses a password under the usual policy, once', async () => {
    const token = tokenOf(link);
    const opened = await post('/auth/invitation', { token });
    expect(opened.statusCode).toBe(200);
    expect(JSON.parse(opened.body)).toEqual({ email: 'imani.park@mail.test', displayName: 'Imani Park', role: 'patient' });
    const weak = await post('/auth/invitation/accept', { token, password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('at least 12 characters');
    expect((await post('/auth/invitation/accept', { token, password: 'blue kettle morning 42' })).statusCode).toBe(200);
    // Used: the same link does nothing more.
    expect((await post('/auth/invitation/accept', { token, password: 'someone else 99 !!' })).statusCode).toBe(404);
    expect((await post('/auth/invitation', { token })).statusCode).toBe(404);

    const signIn = await post('/auth/login', { email: 'imani.park@mail.test', password: 'blue kettle morning 42' });
    expect(signIn.statusCode).toBe(200);
    const me = await env.server.request({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${JSON.parse(signIn.body).access_token}` } });
    expect(JSON.parse(me.body)).toMatchObject({ role: 'patient', fhirUser: `Patient/${ids.patient}` });
    // Inviting again is refused: the patient has an account.
    expect((await invite(frontDesk.token, ids.patient!)).statusCode).toBe(409);
  });

  it('refuses a forged, altered or expired token', async () => {
    const links = new InvitationLinks(await env.server.identity.accounts.platformSecret('portal-invitations'));
    const newcomer = await create({ resourceType: 'Patient', name: [{ family: 'Newcomer' }] });
    const account = JSON.parse((await invite(env.server.token, newcomer, { email: 'newcomer@mail.test' })).body);
    const expired = links.sign({ tenantId: env.server.practice.id, accountId: account.accountId, expires: Date.now() - 1000 });
    expect((await post('/auth/invitation', { token: expired })).statusCode).toBe(404);
    const forged = new InvitationLinks('not the secret').sign({ tenantId: env.server.practice.id, accountId: account.accountId, expires: Date.now() + 60_000 });
    expect((await post('/auth/invitation', { token: forged })).statusCode).toBe(404);
    expect((await post('/auth/invitation', { token: `${tokenOf(account.link)}x` })).statusCode).toBe(404);
    expect((await post('/auth/invitation', { token: tokenOf(account.link) })).statusCode).toBe(200);
  });
});

describe('the patient in the portal', () => {
  let patient: FhirCall;

  beforeAll(async () => {
    patient = (await env.server.signInAs('patient', { fhirUser: `Patient/${ids.patient}` })).fhir;
  });

  it('downloads their whole record with Patient/$everything, and nobody else’s', async () => {
    const response = await patient('GET', `Patient/${ids.patient}/$everything`);
    expect(response.status).toBe(200);
    const bundle = response.body as Bundle;
    const refs = bundle.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    expect(refs[0]).toBe(`Patient/${ids.patient}`);
    expect(refs).toEqual(expect.arrayContaining([`Observation/${ids.a1c}`, `Condition/${ids.problem}`]));
    expect(refs).not.toContain(`Observation/${ids.otherA1c}`);
    expect((await patient('GET', `Patient/${ids.other}/$everything`)).status).toBe(403);
    const events = await env.server.fhir('GET', `AuditEvent?patient=Patient/${ids.patient}&_count=100`);
    expect(JSON.stringify(events.body)).toContain('$everything');
  });

  it('writes to the practice, the front desk answers, and the patient sees the thread', async () => {
    const message: Communication = {
      resourceType: 'Communication',
      status: 'completed',
      category: [{ coding: [PORTAL_MESSAGE] }],
      subject: { reference: `Patient/${ids.patient}` },
      sender: { reference: `Patient/${ids.patient}` },
      recipient: [{ display: 'E2E Practice' }],
      topic: { text: 'Metformin refill' },
      sent: new Date().toISOString(),
      payload: [{ contentString: 'Could I get a refill?' }],
    };
    const written = await patient('POST', 'Communication', message);
    expect(written.status, JSON.stringify(written.body)).toBe(201);
    // About someone else: refused.
    expect((await patient('POST', 'Communication', { ...message, subject: { reference: `Patient/${ids.other}` }, sender: { reference: `Patient/${ids.other}` } })).status).toBe(403);

    const inbox = await frontDesk.fhir('GET', `Communication?category=${PORTAL_MESSAGE.system}|${PORTAL_MESSAGE.code}&_sort=-sent`);
    expect(inbox.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain(written.body.id);
    const reply = await frontDesk.fhir('POST', 'Communication', {
      ...message,
      sender: { display: 'Front desk' },
      recipient: [{ reference: `Patient/${ids.patient}` }],
      inResponseTo: [{ reference: `Communication/${written.body.id}` }],
      payload: [{ contentString: 'Sent to your pharmacy.' }],
    });
    expect(reply.status).toBe(201);
    const thread = await patient('GET', `Communication?category=${PORTAL_MESSAGE.system}|${PORTAL_MESSAGE.code}`);
    expect(thread.body.entry.map((e: { resource: Communication }) => e.resource.payload?.[0]?.contentString).sort()).toEqual(['Could I get a refill?', 'Sent to your pharmacy.']);
  });

  it('requests an appointment (proposed) that the practice sees', async () => {
    const request = await patient('POST', 'Appointment', {
      resourceType: 'Appointment',
      status: 'proposed',
      description: 'Diabetes follow-up',
      requestedPeriod: [{ start: '2026-12-07T00:00:00Z', end: '2026-12-12T00:00:00Z' }],
      participant: [{ actor: { reference: `Patient/${ids.patient}` }, status: 'accepted' }],
    });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    const requests = await frontDesk.fhir('GET', 'Appointment?status=proposed');
    expect(requests.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toContain(request.body.id);
  });
});
