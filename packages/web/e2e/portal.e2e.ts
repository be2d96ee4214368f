import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eApi } from './harness/api.js';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, printFigure, StepShots } from './harness/screens.js';

const FRONT_DESK = { email: 'frank.desk@e2e.unichart', displayName: 'Frank Desk', role: 'front-desk', password: 'front counter 2026 !' };
const PATIENT_EMAIL = 'imani.park@e2e.unichart';
const PATIENT_PASSWORD = 'blue kettle morning 42';
const LOINC = 'http://loinc.org';

let server: E2eServer;
let browser: Browser;
let dir: string;
let shots: StepShots;
let invitationLink: string;

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
const daysAhead = (days: number, hour: number) => {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

/** A patient with a year of HbA1c and weight results (reference ranges included) and a little history. */
async function recordPatient(admin: E2eApi): Promise<string> {
  const patient = await admin.call<{ id: string }>('POST', '/fhir/R4/Patient', {
    resourceType: 'Patient',
    name: [{ use: 'official', family: 'Park', given: ['Imani'] }],
    birthDate: '1979-04-02',
    gender: 'female',
    telecom: [{ system: 'email', value: PATIENT_EMAIL }, { system: 'phone', value: '555-310-2231' }],
  });
  const subject = { reference: `Patient/${patient.id}` };
  const a1c = [[360, 8.1], [250, 7.4], [140, 6.9], [30, 6.2]] as const;
  for (const [days, value] of a1c) {
    await admin.call('POST', '/fhir/R4/Observation', {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'HbA1c' },
      subject,
      effectiveDateTime: daysAgo(days),
      valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
      referenceRange: [{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }],
    });
  }
  for (const [days, value] of [[300, 92.4], [120, 89.0], [20, 86.5]] as const) {
    await admin.call('POST', '/fhir/R4/Observation', {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: LOINC, code: '29463-7', display: 'Body weight' }], text: 'Body weight' },
      subject,
      effectiveDateTime: daysAgo(days),
      valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    });
  }
  await admin.call('POST', '/fhir/R4/Condition', { resourceType: 'Condition', code: { text: 'Type 2 diabetes mellitus' }, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, subject, onsetDateTime: '2021-05-01' });
  await admin.call('POST', '/fhir/R4/MedicationRequest', { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, medicationCodeableConcept: { text: 'Metformin 500 mg tablet' }, dosageInstruction: [{ text: 'One tablet twice a day with meals' }], authoredOn: daysAgo(200) });
  await admin.call('POST', '/fhir/R4/AllergyIntolerance', { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, patient: subject, code: { text: 'Penicillin' }, criticality: 'high', reaction: [{ manifestation: [{ text: 'Hives' }] }] });
  await admin.call('POST', '/fhir/R4/Immunization', { resourceType: 'Immunization', status: 'completed', patient: subject, vaccineCode: { text: 'Influenza, seasonal' }, occurrenceDateTime: daysAgo(60) });
  await admin.call('POST', '/fhir/R4/Encounter', { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject, type: [{ text: 'Diabetes follow-up' }], period: { start: daysAgo(30), end: daysAgo(30) }, reasonCode: [{ text: 'Blood sugar review' }] });
  const doctor = await admin.call<{ id: string }>('POST', '/fhir/R4/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Osei', given: ['Kwame'], prefix: ['Dr'] }] });
  await admin.call('POST', '/fhir/R4/Appointment', {
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: { coding: [{ system: 'https://unichart.dev/fhir/CodeSystem/appointment-type', code: 'follow-up' }] },
    start: daysAhead(9, 15),
    end: daysAhead(9, 15).replace(':00:00.000Z', ':20:00.000Z'),
    participant: [
      { actor: { reference: `Patient/${patient.id}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${doctor.id}`, display: 'Dr Kwame Osei' }, status: 'accepted' },
    ],
  });
  return patient.id;
}

beforeAll(async () => {
  dir = await artifactsFor('portal');
  shots = new StepShots(dir);
  server = await startE2eServer({ logFile: join(dir, 'server.log'), env: { UNICHART_OUTBOX_DIR: join(dir, 'outbox') } });
  browser = await launchChromium();
  const admin = await E2eApi.signIn(server.baseUrl, server.adminEmail, server.adminPassword);
  await admin.createUser(FRONT_DESK);
  const patientId = await recordPatient(admin);
  // The front desk invites the patient; the link is emailed (to the sandbox outbox) and handed back.
  const desk = await E2eApi.signIn(server.baseUrl, FRONT_DESK.email, FRONT_DESK.password);
  const invitation = await desk.call<{ link: string; sent: { medium: string } }>('POST', `/admin/patients/${patientId}/invite`, {});
  expect(invitation.sent.medium).toBe('email');
  const [mail] = await readdir(join(dir, 'outbox', 'email'));
  expect(JSON.parse(await readFile(join(dir, 'outbox', 'email', mail!), 'utf8')).text).toContain(invitation.link);
  invitationLink = invitation.link.replace(/^https?:\/\/[^/]+/, server.baseUrl);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Milliseconds from `start` until every part of the record page has arrived. */
async function recordReadyAfter(page: Page, start: () => Promise<unknown>): Promise<number> {
  const began = Date.now();
  await start();
  await page.locator('[data-ready="true"]').waitFor({ state: 'visible', timeout: 15_000 });
  return Date.now() - began;
}

describe('the patient portal', () => {
  it('a patient accepts the invitation, signs in, sees results with a trend plot, requests an appointment and writes; the practice sees both and answers', async () => {
    const patient = await openPage(browser);
    const nav = patient.getByRole('navigation');

    // The invitation link: choose a password, and the patient is signed in on their account page.
    await patient.goto(invitationLink);
    await expect.poll(() => patient.getByRole('heading', { name: 'Welcome to your patient portal' }).isVisible()).toBe(true);
    await expect.poll(() => patient.getByText(PATIENT_EMAIL).isVisible()).toBe(true);
    await shots.shot(patient, 'invitation');
    await checkAccessibility(patient, dir, 'portal-invitation');
    await patient.getByLabel(/^New password/).fill('too short');
    await patient.getByLabel(/^The same password again/).fill('too short');
    await patient.getByRole('button', { name: 'Save the password and sign in' }).click();
    await expect.poll(() => patient.getByText('Use at least 12 characters').isVisible()).toBe(true);
    await patient.getByLabel(/^New password/).fill(PATIENT_PASSWORD);
    await patient.getByLabel(/^The same password again/).fill(PATIENT_PASSWORD);
    await patient.getByRole('button', { name: 'Save the password and sign in' }).click();
    await expect.poll(() => patient.getByRole('button', { name: 'Set up an authenticator app' }).isVisible()).toBe(true);
    expect(new URL(patient.url()).hash).toBe('');
    await shots.shot(patient, 'account-after-invitation');
    expect(await nav.getByRole('link').allTextContents()).toEqual(['My record', 'Results', 'Appointments', 'Messages']);

    // Signs out, and back in on the ordinary sign-in screen: the portal's record is the home page.
    await patient.getByRole('button', { name: /^Account: Imani Park/ }).click();
    await patient.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect.poll(() => patient.getByRole('heading', { name: 'Sign in to Unichart' }).isVisible()).toBe(true);
    await patient.goto(server.baseUrl);
    await patient.getByLabel('Email').fill(PATIENT_EMAIL);
    await patient.getByLabel(/^Password/).fill(PATIENT_PASSWORD);
    const afterSignIn = await recordReadyAfter(patient, () => patient.getByRole('button', { name: 'Sign in' }).click());
    const main = patient.locator('main');
    for (const text of ['Park, Imani', 'Type 2 diabetes mellitus', 'Metformin 500 mg tablet', 'One tablet twice a day', 'Penicillin', 'High risk', 'Influenza, seasonal', 'Diabetes follow-up', 'imani.park@e2e.unichart']) {
      expect(await main.textContent(), text).toContain(text);
    }
    await shots.shot(patient, 'record');
    await checkAccessibility(patient, dir, 'portal-record');
    // A fresh load of the record page: script, session refresh and every list of the record.
    const reload = await recordReadyAfter(patient, () => patient.reload());
    printFigure({ figure: 'web.portal.record-page.render', unit: 'ms', value: reload, after_sign_in_ms: afterSignIn, target_ms: 1000 });

    // Downloads the whole record as FHIR JSON.
    const downloading = patient.waitForEvent('download');
    await patient.getByRole('button', { name: 'Download my record (FHIR JSON)' }).click();
    const download = await downloading;
    const bundle = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry[0].resource.resourceType).toBe('Patient');
    expect(bundle.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Observation')).toHaveLength(7);

    // Results: the HbA1c trend with its reference range, and each value flagged.
    await nav.getByRole('link', { name: 'Results' }).click();
    const a1c = patient.getByRole('region', { name: 'HbA1c', exact: true });
    await expect.poll(() => a1c.isVisible()).toBe(true);
    expect(await a1c.textContent()).toContain('Reference range: 4–5.6 %');
    expect(await a1c.getByRole('table', { name: 'HbA1c over time' }).getByRole('row').count()).toBe(5);
    expect(await a1c.textContent()).toContain('Above range');
    await expect.poll(() => patient.getByTestId('trend-HbA1c').locator('.recharts-line-dots circle').count()).toBe(4);
    expect(await patient.getByTestId('trend-HbA1c').locator('.recharts-reference-area').count()).toBe(1);
    await expect.poll(() => patient.getByTestId('trend-Body weight').locator('.recharts-line-dots circle').count()).toBe(3);
    await shots.shot(patient, 'results');
    await checkAccessibility(patient, dir, 'portal-results');

    // Appointments: a request the practice will see, and cancelling the booked one with a reason.
    await nav.getByRole('link', { name: 'Appointments' }).click();
    await expect.poll(() => patient.getByRole('heading', { name: 'My appointments' }).isVisible()).toBe(true);
    await expect.poll(() => patient.getByRole('region', { name: 'Upcoming' }).textContent()).toContain('Dr Kwame Osei');
    await checkAccessibility(patient, dir, 'portal-appointments');
    await patient.getByLabel('Kind of visit').selectOption('annual-physical');
    await patient.getByLabel(/^Reason for the visit/).fill('Yearly check-up and foot exam');
    await patient.getByRole('button', { name: 'Send the request' }).click();
    await expect.poll(() => patient.getByRole('status').filter({ hasText: 'Your request was sent' }).isVisible()).toBe(true);
    await expect.poll(() => patient.getByRole('region', { name: 'Upcoming' }).textContent()).toContain('Yearly check-up and foot exam');
    expect(await patient.getByRole('region', { name: 'Upcoming' }).textContent()).toContain('Requested');
    const booked = patient.getByRole('article').filter({ hasText: 'Dr Kwame Osei' });
    await booked.getByRole('button', { name: 'Cancel' }).click();
    await booked.getByRole('button', { name: 'Confirm cancellation' }).click();
    await expect.poll(() => booked.getByText('Tell the practice why').isVisible()).toBe(true);
    await booked.getByLabel(/^Reason for cancelling/).fill('I will be travelling');
    await booked.getByRole('button', { name: 'Confirm cancellation' }).click();
    await expect.poll(() => patient.getByRole('region', { name: 'Past' }).textContent()).toContain('Cancelled');
    await shots.shot(patient, 'appointments');
    await checkAccessibility(patient, dir, 'portal-appointments-after');

    // A message to the practice.
    await nav.getByRole('link', { name: 'Messages' }).click();
    await patient.getByLabel(/^Subject/).fill('Question about my HbA1c');
    await patient.getByLabel(/^Message/).fill('My last HbA1c was 6.2. Should I keep the same metformin dose?');
    await patient.getByRole('button', { name: 'Send to the practice' }).click();
    await expect.poll(() => patient.getByRole('article', { name: 'Question about my HbA1c' }).isVisible()).toBe(true);
    await shots.shot(patient, 'messages');
    await checkAccessibility(patient, dir, 'portal-messages');

    // The practice: the front desk sees the request and the message in the patient inbox, and answers.
    const desk = await openPage(browser);
    await desk.goto(server.baseUrl);
    await signIn(desk, FRONT_DESK.email, FRONT_DESK.password);
    await desk.getByRole('navigation').getByRole('link', { name: 'Patient inbox' }).click();
    const requests = desk.getByRole('table', { name: 'Appointment requests' });
    await expect.poll(() => requests.textContent()).toContain('Park, Imani');
    expect(await requests.textContent()).toContain('Yearly check-up and foot exam');
    expect(await requests.textContent()).toContain('Annual physical');
    const thread = desk.getByRole('article', { name: /^Park, Imani: Question about my HbA1c/ });
    await expect.poll(() => thread.textContent()).toContain('Should I keep the same metformin dose?');
    expect(await thread.textContent()).toContain('Waiting for a reply');
    await shots.shot(desk, 'inbox');
    await checkAccessibility(desk, dir, 'inbox');
    await thread.getByLabel(/^Reply to/).fill('Yes, keep the same dose. Dr Osei will review it at your physical.');
    await thread.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => thread.textContent()).toContain('Dr Osei will review it');
    await expect.poll(async () => (await thread.textContent())?.includes('Waiting for a reply')).toBe(false);

    // The patient sees the answer in the thread.
    await patient.reload();
    const answered = patient.getByRole('article', { name: 'Question about my HbA1c' });
    await expect.poll(() => answered.textContent()).toContain('Dr Osei will review it');
    expect(await answered.textContent()).toContain('Frank Desk (Front desk)');
    await shots.shot(patient, 'messages-answered');
  });
});
