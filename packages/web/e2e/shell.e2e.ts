import { join } from 'node:path';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eApi } from './harness/api.js';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, StepShots } from './harness/screens.js';

const NURSE = { email: 'nora.nurse@e2e.unichart', displayName: 'Nora Nurse', role: 'nurse', password: 'ward round 2026 !' };

let server: E2eServer;
let browser: Browser;
let dir: string;
let shots: StepShots;
let practiceMrn: string;

beforeAll(async () => {
  dir = await artifactsFor('shell');
  shots = new StepShots(dir);
  server = await startE2eServer({ logFile: join(dir, 'server.log') });
  browser = await launchChromium();

  // A nurse, and a patient to find.
  const admin = await E2eApi.signIn(server.baseUrl, server.adminEmail, server.adminPassword);
  await admin.createUser(NURSE);
  const created = await admin.call<{ identifier: { value: string; system: string }[] }>('POST', '/fhir/R4/Patient', {
    resourceType: 'Patient',
    name: [{ use: 'official', family: 'Okafor', given: ['Adaeze', 'Chioma'] }],
    birthDate: '1984-03-09',
    gender: 'female',
    identifier: [{ system: 'urn:e2e:mrn', value: 'MRN-000417', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
    telecom: [{ system: 'phone', value: '555-201-7788' }],
  });
  // The practice gives every new patient its own medical record number, shown first.
  practiceMrn = created.identifier.find((i) => i.system.endsWith('/mrn'))!.value;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signInWithPassword(page: Page): Promise<void> {
  await page.getByLabel('Email').fill(NURSE.email);
  await page.getByLabel(/^Password/).fill(NURSE.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the application shell', () => {
  it('enrols an authenticator and then asks for its code, finds a patient from the header and shows the banner, and signs out an idle session after a warning', async () => {
    const page = await openPage(browser, { viewport: { width: 1024, height: 768 } });
    // The page's clock is under the test's control, so fifteen idle minutes pass in an instant.
    await page.clock.install();
    await page.goto(server.baseUrl);

    // The nurse turns on two-step sign-in from their account page.
    await signInWithPassword(page);
    await page.getByRole('button', { name: /^Account: Nora Nurse/ }).click();
    await page.getByRole('menuitem', { name: 'Your account and two-step sign-in' }).click();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const key = page.getByLabel('Authenticator key');
    await expect.poll(() => key.isVisible()).toBe(true);
    const mfaSecret = (await key.getAttribute('data-secret'))!;
    await shots.shot(page, 'mfa-enrol');
    await checkAccessibility(page, dir, 'account');
    await page.getByLabel('Code from the app').fill(await generate({ secret: mfaSecret }));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Two-step sign-in is on' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: /^Account: Nora Nurse/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('You have signed out.');

    await signInWithPassword(page);
    const code = page.getByLabel(/^Authenticator code/);
    await expect.poll(() => code.isVisible()).toBe(true);
    await shots.shot(page, 'mfa-step');
    await checkAccessibility(page, dir, 'mfa-step');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The authenticator code is not right.');
    // The code that turned MFA on has been used; sign in with the app's next one.
    await code.fill(await generate({ secret: mfaSecret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();

    // A nurse's menu follows the default nurse policy (every type but the audit trail, no deletes): no administration.
    const nav = page.getByRole('navigation');
    await expect.poll(() => nav.getByRole('link', { name: 'Patients' }).isVisible()).toBe(true);
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Patients', 'Front desk', 'Patient inbox', 'Clinical', 'Billing']);

    // The header's search, by birth date, then the patient's page and banner.
    await page.getByRole('searchbox', { name: /Find a patient/ }).fill('03/09/1984');
    await page.keyboard.press('Enter');
    const results = page.getByRole('table', { name: 'Matching patients' });
    await expect.poll(() => results.textContent()).toContain('Okafor, Adaeze Chioma');
    await shots.shot(page, 'patient-search');
    await checkAccessibility(page, dir, 'patient-search');
    for (const text of ['okafor adaeze', practiceMrn, 'MRN-000417', '555-201-7788']) {
      await page.getByRole('searchbox', { name: /Find a patient/ }).fill(text);
      await page.keyboard.press('Enter');
      await expect.poll(() => results.textContent(), { message: text }).toContain('Okafor, Adaeze Chioma');
    }
    await page.getByRole('searchbox', { name: /Find a patient/ }).fill('Nobody-Here');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'No patient matches' }).isVisible()).toBe(true);
    await page.goBack();
    await results.getByRole('link', { name: 'Okafor, Adaeze Chioma' }).click();
    const banner = page.getByRole('region', { name: 'Patient' });
    await expect.poll(() => banner.textContent()).toContain('Okafor, Adaeze Chioma');
    const facts = await banner.textContent();
    expect(facts).toContain('1984-03-09 (');
    expect(facts).toContain('Female');
    expect(facts).toContain(practiceMrn);
    await shots.shot(page, 'patient-banner');
    await checkAccessibility(page, dir, 'patient');
    // A reload keeps the session (the refresh token is kept for this tab) and the page.
    await page.reload();
    await expect.poll(() => banner.textContent()).toContain(practiceMrn);

    // Idle: the warning a minute before fifteen minutes, "stay" keeps the session, then sign-out at fifteen.
    await page.clock.fastForward('14:05');
    const warning = page.getByRole('dialog', { name: 'Are you still there?' });
    await expect.poll(() => warning.isVisible()).toBe(true);
    await shots.shot(page, 'idle-warning');
    await checkAccessibility(page, dir, 'idle-warning');
    await warning.getByRole('button', { name: 'Stay signed in' }).click();
    await expect.poll(() => warning.isHidden()).toBe(true);
    await page.clock.fastForward('10:00');
    expect(await banner.isVisible()).toBe(true);
    await page.clock.fastForward('05:01');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Unichart' }).isVisible()).toBe(true);
    expect(await page.getByRole('status').textContent()).toContain('You were signed out after 15 minutes without activity');
    await shots.shot(page, 'idle-signed-out');

    // A reload after the idle sign-out does not bring the session back.
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Unichart' }).isVisible()).toBe(true);
  });
});
