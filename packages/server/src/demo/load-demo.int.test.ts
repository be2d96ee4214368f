import { randomUUID } from 'node:crypto';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { newPractice, repositoryFor, useTestServer } from '../test-support/test-database.js';
import { generateDemoPractice } from './generate-demo.js';
import { DEMO_PASSWORD, loadDemoPractice, type DemoLoadResult } from './load-demo.js';

const env = useTestServer();
const ZONE = 'America/New_York';
const PATIENTS = 30;
const domain = () => `demo-${randomUUID().slice(0, 8)}.test`;

/** Loads a small demo into the test practice once; the tests below read it. */
let loading: Promise<{ result: Extract<DemoLoadResult, { status: 'loaded' }>; emailDomain: string }> | undefined;
function loadedDemo() {
  loading ??= (async () => {
    const emailDomain = domain();
    const repo = repositoryFor(env.db, env.server.practice);
    const result = await loadDemoPractice(repo, env.server.identity.accounts, { timeZone: ZONE, patients: PATIENTS, emailDomain });
    if (result.status !== 'loaded') throw new Error(`demo not loaded: ${result.status}`);
    await result.loadCharts();
    return { result, emailDomain };
  })();
  return loading;
}

const as = (token: string) => async (path: string) => {
  const response = await env.server.request({ method: 'GET', url: `/fhir/R4/${path}`, headers: { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, body: JSON.parse(response.body) };
};
const count = async (path: string) => (await as(env.server.token)(`${path}${path.includes('?') ? '&' : '?'}_summary=count`)).body.total as number;

describe('the demo practice, loaded through the repository', () => {
  it('writes the practice with medical record numbers and audit entries', async () => {
    const { result } = await loadedDemo();
    expect(result).toMatchObject({ status: 'loaded', patients: PATIENTS });
    expect(await count('Patient')).toBe(PATIENTS);
    const patients = (await as(env.server.token)('Patient?_count=100')).body as Bundle<Patient>;
    expect(patients.entry!.every((e) => e.resource!.identifier?.some((i) => i.type?.coding?.[0]?.code === 'MR'))).toBe(true);
    const patient = patients.entry![0]!.resource!;
    const audit = await as(env.server.token)(`AuditEvent?entity=Patient/${patient.id}&_count=10`);
    expect(audit.body.entry.map((e: { resource: { action: string } }) => e.resource.action)).toContain('C');
    expect(await count('Observation')).toBeGreaterThan(PATIENTS * 5);
  });

  it('is loaded once: a second load writes nothing', async () => {
    await loadedDemo();
    const before = await Promise.all(['Patient', 'Appointment', 'Observation', 'Practitioner'].map(count));
    const again = await loadDemoPractice(repositoryFor(env.db, env.server.practice), env.server.identity.accounts, { timeZone: ZONE, patients: PATIENTS, emailDomain: domain() });
    expect(again.status).toBe('already-loaded');
    expect(await Promise.all(['Patient', 'Appointment', 'Observation', 'Practitioner'].map(count))).toEqual(before);
  });

  it('has appointments this week on the calendar the front desk sees', async () => {
    const { emailDomain } = await loadedDemo();
    const frontDesk = as(await env.server.signIn(`frontdesk@${emailDomain}`, DEMO_PASSWORD));
    const monday = DateTime.now().setZone(ZONE).startOf('week');
    const week = await frontDesk(`Appointment?date=ge${monday.toUTC().toISO()}&date=lt${monday.plus({ weeks: 1 }).toUTC().toISO()}&_count=1000`);
    expect(week.status).toBe(200);
    expect(week.body.entry.length).toBeGreaterThan(50);
    const schedules = await frontDesk('Schedule?_count=50');
    expect(schedules.body.entry.length).toBeGreaterThanOrEqual(5);
  });

  it('lets a demo user of each role sign in, each with their role', async () => {
    const { result, emailDomain } = await loadedDemo();
    expect(result.accounts.map((a) => a.role).sort()).toEqual(['biller', 'front-desk', 'nurse', 'patient', 'physician']);
    for (const account of result.accounts) {
      expect(account.email.endsWith(`@${emailDomain}`)).toBe(true);
      const token = await env.server.signIn(account.email, DEMO_PASSWORD);
      const me = await env.server.request({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.statusCode).toBe(200);
      expect(JSON.stringify(JSON.parse(me.body))).toContain(account.role);
    }
  });

  it('gives the patient account its own record and no one else’s', async () => {
    const { result } = await loadedDemo();
    const portal = as(await env.server.signIn(result.accounts.find((a) => a.role === 'patient')!.email, DEMO_PASSWORD));
    const own = await portal('Patient');
    expect(own.status).toBe(200);
    expect(own.body.entry).toHaveLength(1);
    const me = own.body.entry[0].resource as Patient;
    expect(me.name?.[0]).toMatchObject({ family: 'Miller', given: ['Grace'] });
    const results = await portal('Observation?code=http://loinc.org|85354-9&_count=100');
    expect(results.body.entry.length).toBeGreaterThanOrEqual(4);
    expect(results.body.entry.every((e: { resource: { subject: { reference: string } } }) => e.resource.subject.reference === `Patient/${me.id}`)).toBe(true);
    const everyone = (await as(env.server.token)('Patient?_count=100')).body as Bundle<Patient>;
    const someoneElse = everyone.entry!.find((e) => e.resource!.id !== me.id)!.resource!;
    expect([403, 404]).toContain((await portal(`Patient/${someoneElse.id}`)).status);
    expect((await portal(`Observation?subject=Patient/${someoneElse.id}`)).body.entry ?? []).toEqual([]);
  });
});

describe('an interrupted load', () => {
  it('resumes the patients’ histories where it stopped, writing each once', async () => {
    const practice = await newPractice(env.db);
    await env.server.identity.accounts.seedDefaultRoles(practice.id);
    const repo = repositoryFor(env.db, practice);
    const options = { timeZone: ZONE, patients: 12, emailDomain: domain(), now: new Date('2026-11-18T15:05:00Z') };
    const first = await loadDemoPractice(repo, env.server.identity.accounts, options);
    if (first.status !== 'loaded') throw new Error(first.status);
    let batches = 0;
    const partial = await first.loadCharts(() => batches++ >= 1);
    const resumed = await loadDemoPractice(repo, env.server.identity.accounts, { ...options, now: new Date('2026-11-20T15:05:00Z') });
    expect(resumed.status).toBe('resuming');
    if (resumed.status !== 'resuming') return;
    const rest = await resumed.loadCharts();
    const expected = generateDemoPractice(options);
    expect(partial.resources + rest.resources).toBe(expected.history().length);
    const stored = await repo.reader().countResources(['Observation', 'Encounter', 'Condition', 'Immunization', 'Patient', 'Appointment']);
    const generated = [...expected.core, ...expected.history()].filter((r) => ['Observation', 'Encounter', 'Condition', 'Immunization', 'Patient', 'Appointment'].includes(r.resourceType));
    expect(stored).toBe(generated.length);
    expect((await loadDemoPractice(repo, env.server.identity.accounts, options)).status).toBe('already-loaded');
  });

  it('leaves a practice with patients of its own alone', async () => {
    const practice = await newPractice(env.db);
    const repo = repositoryFor(env.db, practice);
    await repo.singleStatement().create({ resourceType: 'Patient', name: [{ family: 'Real' }] });
    const result = await loadDemoPractice(repo, env.server.identity.accounts, { timeZone: ZONE, patients: 5, emailDomain: domain() });
    expect(result).toEqual({ status: 'practice-in-use', patients: 1 });
  });
});
