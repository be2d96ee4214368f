import { join } from 'node:path';
import type { Bundle, CodeSystem, Schedule, Slot } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eApi } from './harness/api.js';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, StepShots } from './harness/screens.js';

const DEMO_FRONT_DESK = { email: 'frontdesk@demo.unichart.local', password: 'welcome-to-the-demo' };
const DOCTOR = 'Dr. Maria Alvarez';
const DAY_MS = 86_400_000;
/** The demo's patient histories load in the background at first start: answers are slower than usual meanwhile. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

let server: E2eServer;
let browser: Browser;
let dir: string;
let shots: StepShots;
let admin: E2eApi;
let desk: E2eApi;

beforeAll(async () => {
  dir = await artifactsFor('admin-setup');
  shots = new StepShots(dir);
  server = await startE2eServer({ logFile: join(dir, 'server.log'), env: { UNICHART_DEMO: '1' } });
  browser = await launchChromium();
  admin = await E2eApi.signIn(server.baseUrl, server.adminEmail, server.adminPassword);
  desk = await E2eApi.signIn(server.baseUrl, DEMO_FRONT_DESK.email, DEMO_FRONT_DESK.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page: Page, email = server.adminEmail, password = server.adminPassword): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const resources = <T>(bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource as T);

/** Open follow-up times the front desk is offered for the doctor in [from, to). */
async function offered(practitionerId: string, from: Date, to: Date): Promise<Slot[]> {
  const query = new URLSearchParams({ 'appointment-type': 'follow-up', practitioner: practitionerId, start: from.toISOString(), end: to.toISOString(), _count: '50' });
  return resources<Slot>(await desk.call<Bundle>('GET', `/fhir/R4/Appointment/$find?${query}`)).filter((r) => r.resourceType === 'Slot');
}

function dayIn(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

describe('the demo administrator sets up the practice', () => {
  it('changes the logoff time and reminders, adds a room, an appointment type, weekly hours and a day of leave', async () => {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.baseUrl}/app/admin/settings`);
    await signIn(page);
    const nav = page.getByRole('navigation');
    await eventually(() => nav.getByRole('link', { name: 'Practice settings' }).isVisible()).toBe(true);

    // Practice settings: a wrong value is explained before anything is sent, then the real change saves.
    await eventually(() => page.getByRole('heading', { name: 'Practice settings', level: 1 }).isVisible()).toBe(true);
    const idle = page.getByLabel('Sign out after inactivity (minutes)');
    await eventually(() => idle.isVisible()).toBe(true);
    await shots.shot(page, 'settings');
    await checkAccessibility(page, dir, 'settings');
    await idle.fill('600');
    await page.getByRole('button', { name: 'Save security settings' }).click();
    await eventually(() => page.getByText('Enter whole minutes from 1 to 480, or leave empty for the server default').isVisible()).toBe(true);
    await shots.shot(page, 'settings-idle-refused');
    await idle.fill('30');
    await page.getByRole('button', { name: 'Save security settings' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Security settings saved' }).isVisible()).toBe(true);
    expect((await admin.call<{ idleMinutes?: number }>('GET', '/admin/settings/security')).idleMinutes).toBe(30);
    await shots.shot(page, 'settings-idle-saved');

    await page.getByLabel('Send reminders this many hours before').fill('2, 72');
    await page.getByRole('button', { name: 'Save reminder lead times' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Reminders go out 72 and 2 hours before each appointment.' }).isVisible()).toBe(true);
    expect(await admin.call('GET', '/admin/settings/reminders')).toEqual({ hoursBefore: [72, 2], practiceDefault: false });
    await shots.shot(page, 'settings-reminders-saved');

    // Locations: a fourth exam room at the main clinic.
    await nav.getByRole('link', { name: 'Locations and rooms' }).click();
    const mainRooms = page.getByRole('table', { name: 'Rooms of Main Street Clinic' });
    await eventually(() => mainRooms.isVisible()).toBe(true);
    await shots.shot(page, 'locations');
    await checkAccessibility(page, dir, 'locations');
    await page.getByRole('button', { name: 'Add room to Main Street Clinic' }).click();
    const roomForm = page.getByRole('dialog', { name: 'Add room' });
    await roomForm.getByLabel('Name').fill('Main Street Clinic — Exam 4');
    await shots.shot(page, 'location-add-room');
    await checkAccessibility(page, dir, 'location-form');
    await roomForm.getByRole('button', { name: 'Save location' }).click();
    await eventually(() => roomForm.isHidden()).toBe(true);
    await eventually(() => mainRooms.textContent()).toContain('Main Street Clinic — Exam 4');
    const rooms = resources<{ name: string; physicalType: { coding: { code: string }[] } }>(await admin.call<Bundle>('GET', `/fhir/R4/Location?name=${encodeURIComponent('Main Street Clinic — Exam 4')}`));
    expect(rooms.map((r) => [r.name, r.physicalType.coding[0]!.code])).toEqual([['Main Street Clinic — Exam 4', 'ro']]);
    await shots.shot(page, 'location-room-added');

    // Scheduling: a new appointment type, at once bookable.
    await nav.getByRole('link', { name: 'Scheduling' }).click();
    const types = page.getByRole('table', { name: 'Appointment types' });
    await eventually(() => types.isVisible()).toBe(true);
    const card = page.getByRole('region', { name: `${DOCTOR} at Main Street Clinic` });
    await eventually(() => card.isVisible()).toBe(true);
    await shots.shot(page, 'scheduling');
    await checkAccessibility(page, dir, 'scheduling');
    await page.getByRole('button', { name: 'Add appointment type' }).click();
    const typeForm = page.getByRole('dialog', { name: 'Add appointment type' });
    await typeForm.getByLabel('Name').fill('Travel vaccine');
    await typeForm.getByLabel('Length (minutes)').fill('15');
    await shots.shot(page, 'appointment-type-form');
    await typeForm.getByRole('button', { name: 'Save appointment type' }).click();
    await eventually(() => typeForm.isHidden()).toBe(true);
    await eventually(() => types.textContent()).toContain('Travel vaccine');
    const system = resources<CodeSystem>(await admin.call<Bundle>('GET', '/fhir/R4/CodeSystem?url=https://unichart.dev/fhir/CodeSystem/appointment-type'))[0]!;
    expect(system.concept?.find((c) => c.code === 'travel-vaccine')?.property).toEqual([{ code: 'duration', valueInteger: 15 }]);
    const doctorId = (await admin.call<Bundle>('GET', '/fhir/R4/Practitioner?family=Alvarez')).entry![0]!.resource!.id!;
    const vaccine = new URLSearchParams({ 'appointment-type': 'travel-vaccine', practitioner: doctorId, _count: '1' });
    expect(resources<Slot>(await desk.call<Bundle>('GET', `/fhir/R4/Appointment/$find?${vaccine}`)).find((r) => r.resourceType === 'Slot')?.end).toBeDefined();
    await shots.shot(page, 'appointment-type-added');

    // Weekly hours: the morning block now runs to 12:30.
    await card.getByRole('button', { name: 'Edit Mon–Fri 08:00–12:00' }).click();
    const blockForm = page.getByRole('dialog', { name: `Edit hours of ${DOCTOR} at Main Street Clinic` });
    await blockForm.getByLabel('Ends').fill('12:30');
    await shots.shot(page, 'weekly-hours-form');
    await checkAccessibility(page, dir, 'weekly-hours-form');
    await blockForm.getByRole('button', { name: 'Save hours' }).click();
    await eventually(() => blockForm.isHidden()).toBe(true);
    await eventually(() => card.getByRole('table', { name: `Weekly hours of ${DOCTOR} at Main Street Clinic` }).textContent()).toContain('08:00–12:30');
    const schedules = resources<Schedule>(await admin.call<Bundle>('GET', `/fhir/R4/Schedule?actor=Practitioner/${doctorId}`));
    const ends = schedules[0]!.extension!.filter((e) => e.url.endsWith('/availability')).map((e) => e.extension!.find((p) => p.url === 'availableEndTime')!.valueTime);
    expect(ends).toEqual(['12:30:00', '17:00:00']);
    await shots.shot(page, 'weekly-hours-saved');

    // A day of leave on a day the front desk is offered times for today.
    const timeZone = schedules[0]!.extension!.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/timezone')!.valueCode!;
    const before = await offered(doctorId, new Date(Date.now() + 2 * DAY_MS), new Date(Date.now() + 12 * DAY_MS));
    expect(before.length).toBeGreaterThan(0);
    const leaveDay = dayIn(before[0]!.start, timeZone);
    const onLeaveDay = (slots: Slot[]) => slots.filter((s) => dayIn(s.start, timeZone) === leaveDay);
    const window = [new Date(new Date(before[0]!.start).getTime() - DAY_MS), new Date(new Date(before[0]!.start).getTime() + DAY_MS)] as const;
    expect(onLeaveDay(await offered(doctorId, ...window)).length).toBeGreaterThan(0);

    await card.getByRole('button', { name: `Add leave to ${DOCTOR} at Main Street Clinic` }).click();
    const leaveForm = page.getByRole('dialog', { name: `Add leave to ${DOCTOR} at Main Street Clinic` });
    await leaveForm.getByLabel('First day').fill(leaveDay);
    await leaveForm.getByLabel('Reason').fill('Conference');
    await shots.shot(page, 'leave-form');
    await checkAccessibility(page, dir, 'leave-form');
    await leaveForm.getByRole('button', { name: 'Add leave' }).click();
    await eventually(() => leaveForm.isHidden()).toBe(true);
    await eventually(() => card.getByRole('table', { name: `Leave of ${DOCTOR} at Main Street Clinic` }).textContent()).toContain('Conference');
    await shots.shot(page, 'leave-added');

    // The front desk is no longer offered that day.
    await eventually(async () => onLeaveDay(await offered(doctorId, ...window)).length).toBe(0);
    await page.context().close();

    // The front desk picks the new type when putting a patient on the waitlist.
    const deskPage = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    await deskPage.goto(`${server.baseUrl}/app/front-desk/waitlist`);
    await signIn(deskPage, DEMO_FRONT_DESK.email, DEMO_FRONT_DESK.password);
    const typeSelect = deskPage.getByLabel('Appointment type');
    await eventually(() => typeSelect.locator('option').allTextContents()).toContain('Travel vaccine (15 min)');
    await typeSelect.selectOption({ label: 'Travel vaccine (15 min)' });
    await shots.shot(deskPage, 'front-desk-new-type');
    await deskPage.context().close();
  });
});
