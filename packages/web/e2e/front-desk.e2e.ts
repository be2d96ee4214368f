import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eApi } from './harness/api.js';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, StepShots } from './harness/screens.js';

const CLERK = { email: 'fay.desk@e2e.unichart', displayName: 'Fay Desk', role: 'front-desk', password: 'front desk 2026 !' };
const AVAILABILITY_URL = 'https://unichart.dev/fhir/StructureDefinition/availability';
const TIMEZONE_URL = 'http://hl7.org/fhir/StructureDefinition/timezone';
// A one-pixel PNG: the insurance card's front as the tablet camera would send it.
const CARD = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let server: E2eServer;
let browser: Browser;
let admin: E2eApi;
let dir: string;
let shots: StepShots;
let doctorId: string;
/** The day after today (UTC): the practitioner works every day, so it always has open times. */
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  dir = await artifactsFor('front-desk');
  shots = new StepShots(dir);
  server = await startE2eServer({ logFile: join(dir, 'server.log') });
  browser = await launchChromium();

  // Set up through the API: the clerk, a payer, a practitioner who works 08:00–17:00 every day
  // at the clinic, and a patient already registered whom the new registration resembles.
  admin = await E2eApi.signIn(server.baseUrl, server.adminEmail, server.adminPassword);
  await admin.createUser(CLERK);
  await admin.call('POST', '/fhir/R4/Organization', { resourceType: 'Organization', name: 'Acme Health Plan', type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'pay' }] }], identifier: [{ system: 'https://unichart.dev/fhir/payer-id', value: '60054' }] });
  const site = await admin.call<{ id: string }>('POST', '/fhir/R4/Location', { resourceType: 'Location', name: 'Main Street clinic' });
  const doctor = await admin.call<{ id: string }>('POST', '/fhir/R4/Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Alvarez', given: ['Ana'], prefix: ['Dr'] }] });
  doctorId = doctor.id;
  await admin.call('POST', '/fhir/R4/Schedule', {
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `Practitioner/${doctor.id}` }, { reference: `Location/${site.id}` }],
    extension: [
      { url: TIMEZONE_URL, valueCode: 'UTC' },
      {
        url: AVAILABILITY_URL,
        extension: [...['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => ({ url: 'daysOfWeek', valueCode: d })), { url: 'availableStartTime', valueTime: '08:00:00' }, { url: 'availableEndTime', valueTime: '17:00:00' }],
      },
    ],
  });
  await admin.call('POST', '/fhir/R4/Patient', {
    resourceType: 'Patient',
    name: [{ use: 'official', family: 'Schmidt', given: ['Katherine'] }],
    gender: 'female',
    birthDate: '1984-06-12',
    telecom: [{ system: 'phone', value: '555-010-7788' }],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Email').fill(CLERK.email);
  await page.getByLabel(/^Password/).fill(CLERK.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Drags a calendar event by the mouse, as a person would, from its top edge to the given time lane. */
async function dragEvent(page: Page, event: ReturnType<Page['locator']>, day: string, time: string): Promise<void> {
  const from = (await event.boundingBox())!;
  const column = (await page.locator(`td.fc-timegrid-col[data-date="${day}"]`).boundingBox())!;
  const lane = (await page.locator(`td.fc-timegrid-slot-lane[data-time="${time}"]`).boundingBox())!;
  const grab = { x: from.x + from.width / 2, y: from.y + 3 };
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x, grab.y + 12, { steps: 4 });
  await page.mouse.move(column.x + column.width / 2, lane.y + 3, { steps: 12 });
  await page.mouse.up();
}

describe('the front desk', () => {
  it('registers a new patient with insurance past a duplicate warning, books a follow-up and moves it by dragging, and checks the patient in with the copay', async () => {
    // Tablet width, in the clinic's time zone.
    const page = await openPage(browser, { viewport: { width: 820, height: 1180 }, timezoneId: 'UTC' });
    await page.goto(`${server.baseUrl}/app/front-desk/register`);
    await signIn(page);
    await expect.poll(() => page.getByRole('heading', { name: 'Register a new patient' }).isVisible()).toBe(true);
    await shots.shot(page, 'register-empty');
    await checkAccessibility(page, dir, 'register');

    const form = page.getByRole('form', { name: 'Register a new patient' });
    // A Coverage without a payer is refused by the form before anything is sent.
    await form.getByLabel('Member ID').fill('XJ4471902');
    await page.getByRole('button', { name: 'Register patient' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Check the form' }).textContent()).toContain('a coverage without a payer cannot be billed');
    await shots.shot(page, 'register-refused');

    // Kate Schmidt: the same birth date and phone as Katherine Schmidt, already registered.
    await form.getByLabel('Legal given name(s)').fill('Kate');
    await form.getByLabel('Legal family name').fill('Schmidt');
    await form.getByLabel('Birth date').fill('1984-06-12');
    await form.getByLabel('Sex (administrative)').selectOption('female');
    await form.getByLabel('Preferred language').selectOption({ label: 'English' });
    await form.getByLabel('Street address').fill('12 Elm Street');
    await form.getByLabel('City', { exact: true }).fill('Springfield');
    await form.getByLabel('Mobile phone').fill('555-010-7788');
    await form.getByLabel('Email', { exact: true }).fill('kate.schmidt@example.test');
    await form.getByLabel('Appointment reminders by').selectOption({ label: 'Text message' });
    await form.getByLabel('Emergency contact name').fill('Hans Schmidt');
    await form.getByLabel('Emergency contact phone').fill('555-010-1111');
    await form.getByLabel(/notice of privacy practices/).check();
    await form.getByLabel(/^Payer/).selectOption({ label: 'Acme Health Plan (payer ID 60054)' });
    await form.getByLabel('Group number').fill('GRP-88');
    await form.getByLabel('Effective from').fill('2026-01-01');
    await form.getByLabel('Copay (USD)').fill('25');
    await form.getByLabel('Card front').setInputFiles({ name: 'card-front.png', mimeType: 'image/png', buffer: CARD });
    await expect.poll(() => page.getByText('card-front.png attached.').isVisible()).toBe(true);
    await shots.shot(page, 'register-filled');
    await page.getByRole('button', { name: 'Register patient' }).click();

    // The duplicate warning: grade and reasons; the clerk goes on (this is a different Kate).
    const warning = page.getByRole('dialog', { name: 'This patient may already be registered' });
    await expect.poll(() => warning.isVisible()).toBe(true);
    const candidates = warning.getByRole('list', { name: 'Likely duplicates' });
    await expect.poll(() => candidates.textContent()).toMatch(/(Certain|Probable|Possible) match/);
    expect(await candidates.textContent()).toContain('Open Katherine Schmidt (born 1984-06-12)');
    await shots.shot(page, 'duplicate-warning');
    await checkAccessibility(page, dir, 'duplicate-warning');
    await warning.getByRole('button', { name: 'Register as a new patient anyway' }).click();

    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Patient registered' }).isVisible()).toBe(true);
    const insurance = page.getByRole('table', { name: 'Insurance on file' });
    await expect.poll(() => insurance.textContent()).toContain('Acme Health Plan');
    expect(await insurance.textContent()).toContain('XJ4471902');
    expect(await insurance.textContent()).toContain('Active');
    await shots.shot(page, 'patient-registered');
    await checkAccessibility(page, dir, 'patient');
    const patientId = page.url().split('/').at(-1)!;
    // One transaction wrote the patient and what hangs off it.
    for (const query of [`Coverage?beneficiary=Patient/${patientId}`, `Consent?patient=Patient/${patientId}`, `RelatedPerson?patient=Patient/${patientId}`, `DocumentReference?subject=Patient/${patientId}`]) {
      expect((await admin.call<{ entry?: unknown[] }>('GET', `/fhir/R4/${query}`)).entry, query).toHaveLength(1);
    }

    // Book a follow-up from open times tomorrow.
    await page.getByRole('link', { name: 'Book an appointment' }).click();
    await expect.poll(() => page.getByText(/^Patient: Kate Schmidt/).isVisible()).toBe(true);
    await page.getByLabel('Open times from').fill(tomorrow);
    await page.getByRole('button', { name: 'Find open times' }).click();
    const openTimes = page.getByRole('list', { name: 'Open times' });
    await expect.poll(() => openTimes.getByRole('button').count()).toBeGreaterThan(0);
    await shots.shot(page, 'open-times');
    await openTimes.getByRole('button').first().click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Appointment booked' }).isVisible()).toBe(true);
    const event = page.locator('.fc-timegrid-event').filter({ hasText: 'Kate Schmidt' });
    await expect.poll(() => event.count()).toBe(1);
    await shots.shot(page, 'calendar-booked');
    await checkAccessibility(page, dir, 'calendar');
    const [booked] = (await admin.call<{ entry: { resource: { id: string; start: string } }[] }>('GET', `/fhir/R4/Appointment?patient=Patient/${patientId}`)).entry.map((e) => e.resource);
    expect(booked!.start).toBe(`${tomorrow}T08:00:00.000Z`);

    // Drag it to 10:00: the server moves it.
    await dragEvent(page, event, tomorrow, '10:00:00');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Appointment moved' }).isVisible()).toBe(true);
    await expect.poll(async () => (await admin.call<{ start: string }>('GET', `/fhir/R4/Appointment/${booked!.id}`)).start).toBe(`${tomorrow}T10:00:00.000Z`);
    await shots.shot(page, 'calendar-moved');

    // Dragged past the end of the working day: refused with the server's reason, and it snaps back.
    await dragEvent(page, event, tomorrow, '17:30:00');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'The appointment was not moved' }).isVisible()).toBe(true);
    const reason = await page.getByRole('alert').filter({ hasText: 'The appointment was not moved' }).textContent();
    expect(reason!.length).toBeGreaterThan('The appointment was not moved'.length + 10);
    expect((await admin.call<{ start: string }>('GET', `/fhir/R4/Appointment/${booked!.id}`)).start).toBe(`${tomorrow}T10:00:00.000Z`);
    await expect.poll(async () => (await event.boundingBox())!.y).toBeCloseTo((await page.locator('td.fc-timegrid-slot-lane[data-time="10:00:00"]').boundingBox())!.y, -1);
    await shots.shot(page, 'calendar-refused');

    // Check in: coverage active, copay due, payment recorded.
    await event.click();
    await page.getByRole('dialog').getByRole('link', { name: 'Check in' }).click();
    const coverage = page.getByRole('group', { name: 'Coverage status' });
    await expect.poll(() => coverage.textContent()).toContain('Coverage active');
    expect(await coverage.textContent()).toContain('Copay due: $25.00');
    await page.getByLabel(/confirmed their name/).check();
    expect(await page.getByLabel('Amount paid (USD)').inputValue()).toBe('25.00');
    await page.getByLabel('Payment method').selectOption('card');
    await shots.shot(page, 'check-in');
    await checkAccessibility(page, dir, 'check-in');
    await page.getByRole('button', { name: 'Check in' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Checked in' });
    await expect.poll(() => done.isVisible()).toBe(true);
    expect(await done.textContent()).toContain('Payment recorded: $25.00 by card');
    await shots.shot(page, 'checked-in');

    // The day view: arrived, minutes waited, the next steps.
    await page.getByRole('link', { name: 'Back to today’s list' }).click();
    await page.getByLabel('Day', { exact: true }).fill(tomorrow);
    const row = page.getByRole('row').filter({ hasText: 'Kate Schmidt' });
    await expect.poll(() => row.textContent()).toContain('arrived');
    expect(await row.textContent()).toMatch(/\d+ min/);
    await row.getByRole('button', { name: /^Room:/ }).click();
    await expect.poll(() => row.textContent()).toContain('in room');
    await shots.shot(page, 'day-view');
    await checkAccessibility(page, dir, 'day-view');

    await page.getByRole('navigation', { name: 'Front desk' }).getByRole('link', { name: 'Waitlist' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Waitlist offers' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Nobody is on the waitlist.').isVisible()).toBe(true);
    await checkAccessibility(page, dir, 'waitlist');
  });

  it('puts a patient on the waitlist, cancels another appointment with a reason, and books the freed time the server offers', async () => {
    // Omar is booked tomorrow at 14:00; Lena would take any time tomorrow with Dr Alvarez.
    const omar = await admin.call<{ id: string }>('POST', '/fhir/R4/Patient', { resourceType: 'Patient', name: [{ family: 'Haddad', given: ['Omar'] }], birthDate: '1970-01-02', gender: 'male' });
    const lena = await admin.call<{ id: string }>('POST', '/fhir/R4/Patient', { resourceType: 'Patient', name: [{ family: 'Park', given: ['Lena'] }], birthDate: '1992-05-06', gender: 'female' });
    await admin.call('POST', '/fhir/R4/Appointment/$book', {
      resourceType: 'Appointment',
      status: 'booked',
      start: `${tomorrow}T14:00:00Z`,
      appointmentType: { coding: [{ system: 'https://unichart.dev/fhir/CodeSystem/appointment-type', code: 'follow-up' }] },
      participant: [{ actor: { reference: `Patient/${omar.id}` }, status: 'accepted' }, { actor: { reference: `Practitioner/${doctorId}` }, status: 'accepted' }],
    });
    const page = await openPage(browser, { viewport: { width: 1024, height: 1366 }, timezoneId: 'UTC' });
    await page.goto(`${server.baseUrl}/app/front-desk/waitlist?patient=${lena.id}`);
    await signIn(page);
    await expect.poll(() => page.getByText(/^Patient: Lena Park/).isVisible()).toBe(true);
    const form = page.getByRole('group', { name: 'Add to the waitlist' });
    await form.getByLabel('Practitioner').selectOption({ label: 'Dr Ana Alvarez' });
    await form.getByLabel('Can come from').fill(tomorrow);
    await form.getByLabel('Until').fill(tomorrow);
    await page.getByRole('button', { name: 'Add to the waitlist' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Waitlist' }).textContent()).toContain('Lena Park');
    await shots.shot(page, 'waitlist-added');

    await page.goto(`${server.baseUrl}/app/front-desk/calendar?date=${tomorrow}`);
    const omarsVisit = page.locator('.fc-timegrid-event').filter({ hasText: 'Omar Haddad' });
    await expect.poll(() => omarsVisit.count()).toBe(1);
    await omarsVisit.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await expect.poll(() => dialog.getByText('Enter why the appointment is cancelled.').isVisible()).toBe(true);
    await dialog.getByLabel('Reason for cancelling').fill('Patient is travelling');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'offered to a waitlisted patient' }).isVisible()).toBe(true);
    await expect.poll(() => omarsVisit.count()).toBe(0);
    await shots.shot(page, 'calendar-cancelled');

    await page.getByRole('navigation', { name: 'Front desk' }).getByRole('link', { name: 'Waitlist' }).click();
    const offers = page.getByRole('table', { name: 'Waitlist offers' });
    await expect.poll(() => offers.textContent()).toContain('Lena Park');
    await shots.shot(page, 'waitlist-offer');
    await checkAccessibility(page, dir, 'waitlist-offer');
    await offers.getByRole('button', { name: /for Lena Park$/ }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Offered time booked' }).isVisible()).toBe(true);
    const lenas = await admin.call<{ entry: { resource: { status: string; start: string } }[] }>('GET', `/fhir/R4/Appointment?patient=Patient/${lena.id}`);
    expect(lenas.entry.map((e) => [e.resource.status, e.resource.start])).toEqual([['booked', `${tomorrow}T14:00:00.000Z`]]);
    await expect.poll(() => page.getByText('Nobody is on the waitlist.').isVisible()).toBe(true);
    await shots.shot(page, 'waitlist-booked');
  });
});
