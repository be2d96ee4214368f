import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, StepShots } from './harness/screens.js';

let server: E2eServer;
let browser: Browser;
let dir: string;
let shots: StepShots;
// The demo practice's histories load in the background meanwhile: the server answers slowly at first.
const SLOW = { timeout: 30_000 };

beforeAll(async () => {
  dir = await artifactsFor('admin-import');
  shots = new StepShots(dir);
  // The demo practice: the imported patient must be found among the patients already there.
  server = await startE2eServer({ logFile: join(dir, 'server.log'), env: { UNICHART_DEMO: '1' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A small patient export as Synthea writes it: a transaction Bundle whose entries point at each other by urn:uuid. */
function syntheaLikeBundle(family: string): string {
  const patient = `urn:uuid:${randomUUID()}`;
  const encounter = `urn:uuid:${randomUUID()}`;
  const entry = (fullUrl: string, resource: Record<string, unknown>) => ({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType } });
  return JSON.stringify({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      entry(patient, {
        resourceType: 'Patient',
        name: [{ use: 'official', family, given: ['Ingrid'] }],
        gender: 'female',
        birthDate: '1971-05-14',
        address: [{ line: ['12 Harbour Road'], city: 'Springfield', postalCode: '01101', country: 'US' }],
      }),
      entry(encounter, {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: patient },
        period: { start: '2024-03-01T09:00:00Z', end: '2024-03-01T09:30:00Z' },
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'Condition',
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        code: { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertensive disorder' }] },
        subject: { reference: patient },
        encounter: { reference: encounter },
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
        subject: { reference: patient },
        encounter: { reference: encounter },
        valueQuantity: { value: 148, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      }),
    ],
  });
}

/** A Bundle whose second entry is not valid R4: the whole file is refused, its first patient too. */
function brokenBundle(family: string): string {
  return JSON.stringify({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { resource: { resourceType: 'Patient', name: [{ family }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', name: [{ family }], birthDate: 'sometime in May' }, request: { method: 'POST', url: 'Patient' } },
    ],
  });
}

/** Letters only: the patient search reads a name with digits as a record number. */
function letters(): string {
  return [...randomUUID().replace(/-/g, '').slice(0, 6)].map((c) => String.fromCharCode(97 + (parseInt(c, 16) % 26))).join('');
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the administrator imports patient data', () => {
  it('uploads an export and a broken file, watches the import finish, reads the error report and finds the imported patient', async () => {
    const family = `Importsdottir${letters()}`;
    const refused = `Halfwritten${letters()}`;
    const page = await openPage(browser);
    page.on('pageerror', (error) => console.error('page error:', error.message));
    page.on('console', (message) => message.type() === 'error' && console.error('console:', message.text()));
    await page.goto(server.baseUrl);
    await signIn(page, server.adminEmail, server.adminPassword);

    await page.getByRole('navigation').getByRole('link', { name: 'Import data' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Import data', level: 1 }).isVisible(), SLOW).toBe(true);
    await expect.poll(() => page.getByText('No imports yet.').isVisible(), SLOW).toBe(true);
    await shots.shot(page, 'import-empty');
    await checkAccessibility(page, dir, 'import');

    // Nothing chosen: the form says so before anything is sent.
    await page.getByRole('button', { name: 'Start import' }).click();
    await expect.poll(() => page.getByText('Choose at least one file to import.').isVisible()).toBe(true);
    await shots.shot(page, 'import-nothing-chosen');

    await page.locator('input[type="file"]').setInputFiles([
      { name: 'synthea-patient.json', mimeType: 'application/json', buffer: Buffer.from(syntheaLikeBundle(family)) },
      { name: 'broken-bundle.json', mimeType: 'application/json', buffer: Buffer.from(brokenBundle(refused)) },
    ]);
    await expect.poll(() => page.getByText(/^2 files, /).isVisible(), SLOW).toBe(true);
    await shots.shot(page, 'import-files-chosen');
    await checkAccessibility(page, dir, 'import-files-chosen');
    await page.getByRole('button', { name: 'Start import' }).click();

    // The import's card shows progress until every entry is done.
    const card = page.getByRole('region', { name: /^Import of 2 files/ });
    await expect.poll(() => card.isVisible(), SLOW).toBe(true);
    await shots.shot(page, 'import-started');
    const progress = card.getByRole('progressbar', { name: 'Import of 2 files: progress' });
    await expect.poll(() => progress.getAttribute('aria-valuenow'), { timeout: 90_000 }).toBe('100');
    await expect.poll(() => card.textContent(), SLOW).toContain('Finished');
    await expect.poll(() => card.textContent()).toContain('6 of 6 entries · 4 created · 0 updated · 2 failed');
    await expect.poll(() => card.textContent()).toContain('1 of 2 files with problems');
    await shots.shot(page, 'import-finished');

    // The error report names the file, the entry and the element at fault.
    const report = page.getByRole('table', { name: 'Error report' });
    await expect.poll(() => report.isVisible(), SLOW).toBe(true);
    const row = report.getByRole('row').filter({ hasText: 'broken-bundle.json' });
    await expect.poll(() => row.textContent()).toContain('entry 1');
    await expect.poll(() => row.textContent()).toContain('Patient.birthDate');
    await shots.shot(page, 'import-error-report');
    await checkAccessibility(page, dir, 'import-error-report');

    // The imported patient is found by patient search; nothing of the refused file is.
    await page.getByRole('navigation').getByRole('link', { name: 'Patients' }).click();
    const search = page.getByRole('search', { name: 'Patient search' });
    await search.getByLabel('Name, birth date, MRN or phone').fill(family);
    await search.getByLabel('Name, birth date, MRN or phone').press('Enter');
    const results = page.getByRole('table', { name: 'Matching patients' });
    await expect.poll(() => results.textContent(), SLOW).toContain(family);
    await shots.shot(page, 'imported-patient-found');
    await search.getByLabel('Name, birth date, MRN or phone').fill(refused);
    await search.getByLabel('Name, birth date, MRN or phone').press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'No patient matches' }).isVisible(), SLOW).toBe(true);
    await shots.shot(page, 'refused-patient-not-found');

    // The import is listed when the screen is opened again.
    await page.getByRole('navigation').getByRole('link', { name: 'Import data' }).click();
    await expect.poll(() => page.getByRole('region', { name: /^Import of 2 files/ }).textContent(), SLOW).toContain('Finished');
    await shots.shot(page, 'import-listed');
  }, 300_000);
});
