import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eApi } from './harness/api.js';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, StepShots } from './harness/screens.js';

const NURSE = { name: 'Noor Haddad', email: 'noor.haddad@e2e.unichart', password: 'lantern orchard copper kettle' };
/** The demo practice's physician (packages/server/src/demo: demo sign-ins share one password). */
const DEMO_PHYSICIAN = { email: 'dr.alvarez@demo.unichart.local', password: 'welcome-to-the-demo' };
const REASON = 'Collapsed in the waiting room, own doctor away';

let server: E2eServer;
let browser: Browser;
let dir: string;
let shots: StepShots;
let admin: Page;

beforeAll(async () => {
  dir = await artifactsFor('admin-access');
  shots = new StepShots(dir);
  server = await startE2eServer({ logFile: join(dir, 'server.log'), env: { UNICHART_DEMO: '1', UNICHART_OUTBOX_DIR: join(dir, 'outbox') } });
  browser = await launchChromium();
  // The demo's patient histories load in the background and slow every answer until done (about a minute here).
  await demoHistoriesLoaded(join(dir, 'server.log'), 200_000);

  // A demo clinician breaks the glass on a patient and opens the chart, through the API.
  const administrator = await E2eApi.signIn(server.baseUrl, server.adminEmail, server.adminPassword);
  const patients = await administrator.call<{ entry: { resource: { id: string } }[] }>('GET', '/fhir/R4/Patient?_count=1');
  const patientId = patients.entry[0]!.resource.id;
  const physician = await E2eApi.signIn(server.baseUrl, DEMO_PHYSICIAN.email, DEMO_PHYSICIAN.password);
  await physician.call('POST', '/auth/emergency-access', { patient: `Patient/${patientId}`, reason: REASON });
  await physician.call('GET', `/fhir/R4/Patient/${patientId}`);

  admin = await openPage(browser, { viewport: { width: 1280, height: 900 } });
  await admin.goto(`${server.baseUrl}/app/admin/users`);
  await signIn(admin, server.adminEmail, server.adminPassword);
  await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function demoHistoriesLoaded(logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await readFile(logFile, 'utf8')).includes('demo practice: patient histories loaded')) {
    if (Date.now() > deadline) throw new Error(`The demo histories did not load within ${timeoutMs / 1000} s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The latest invitation email to `to` in the sandbox outbox (files are named by the link's expiry), and its link pointed at this server. */
async function invitationLinkTo(to: string): Promise<string> {
  const folder = join(dir, 'outbox', 'email');
  const files = (await readdir(folder)).sort();
  const mails = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(folder, file), 'utf8')) as { to: string; subject: string; text: string }));
  const mail = mails.filter((m) => m.to === to).at(-1);
  expect(mail?.subject).toBe('Your Unichart invitation');
  const link = /https?:\/\/\S+#invitation=\S+/.exec(mail!.text)![0];
  return link.replace(/^https?:\/\/[^/]+/, server.baseUrl);
}

describe('the administrator’s access screens', () => {
  it('invites a nurse by email; the nurse opens the link, chooses a password and is signed in', async () => {
    await admin.getByRole('button', { name: 'Invite user' }).click();
    const form = admin.getByRole('dialog', { name: 'Invite user' });
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => form.getByText('Enter the person’s name').isVisible()).toBe(true);
    await form.getByLabel('Name').fill(NURSE.name);
    await form.getByLabel('Email').fill(NURSE.email);
    await form.getByLabel('Role').selectOption({ label: 'Nurse' });
    await shots.shot(admin, 'invite-form');
    await checkAccessibility(admin, dir, 'invite-user');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => form.isHidden()).toBe(true);
    await expect.poll(() => admin.getByRole('status').filter({ hasText: `${NURSE.name} is invited` }).textContent()).toContain(`went to ${NURSE.email}`);
    const row = admin.getByRole('row').filter({ hasText: NURSE.email });
    await expect.poll(() => row.textContent()).toContain('Invited');
    await shots.shot(admin, 'users-invited');
    await checkAccessibility(admin, dir, 'users-invited');

    // Sent again: a second email with a fresh link, which replaces the first.
    await admin.getByRole('button', { name: `Resend the invitation to ${NURSE.name}` }).click();
    await expect.poll(() => admin.getByRole('status').filter({ hasText: `${NURSE.name} is invited` }).isVisible()).toBe(true);

    const nurse = await openPage(browser, { viewport: { width: 820, height: 1180 } });
    await nurse.goto(await invitationLinkTo(NURSE.email));
    await expect.poll(() => nurse.getByRole('heading', { name: 'Welcome to Unichart' }).isVisible()).toBe(true);
    await expect.poll(() => nurse.getByText(`Hello ${NURSE.name}.`).isVisible()).toBe(true);
    await shots.shot(nurse, 'invitation-opened');
    await checkAccessibility(nurse, dir, 'staff-invitation');
    await nurse.getByLabel('New password').fill(NURSE.password);
    await nurse.getByLabel('The same password again').fill(NURSE.password);
    await nurse.getByRole('button', { name: 'Save the password and sign in' }).click();
    await expect.poll(() => nurse.getByRole('heading', { name: 'Your account', level: 1 }).isVisible()).toBe(true);
    await expect.poll(() => nurse.getByText('Role: Nurse').isVisible()).toBe(true);
    await shots.shot(nurse, 'nurse-signed-in');
    await nurse.context().close();

    await admin.reload();
    await expect.poll(() => row.textContent()).toContain('Active');
    await shots.shot(admin, 'users-accepted');
  });

  it('registers an app, checked before sending, and sees its client id', async () => {
    await admin.getByRole('navigation').getByRole('link', { name: 'Apps' }).click();
    await expect.poll(() => admin.getByRole('heading', { name: 'Apps', level: 1 }).isVisible()).toBe(true);
    await expect.poll(() => admin.getByText('No apps registered yet.').isVisible()).toBe(true);
    await shots.shot(admin, 'apps-empty');
    await checkAccessibility(admin, dir, 'apps');

    await admin.getByRole('button', { name: 'Register an app' }).click();
    const form = admin.getByRole('dialog', { name: 'Register an app' });
    await form.getByLabel('Name').fill('Growth charts');
    await form.getByLabel('Redirect URIs').fill('charts.example/callback');
    await form.getByLabel('Scopes').fill('patient/Observation.everything');
    await form.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => form.getByText('charts.example/callback is not an absolute http(s) address').isVisible()).toBe(true);
    await expect.poll(() => form.getByText('Not SMART scopes: patient/Observation.everything').isVisible()).toBe(true);
    await shots.shot(admin, 'register-app-problems');
    await checkAccessibility(admin, dir, 'register-app');
    await form.getByLabel('Redirect URIs').fill('https://charts.example/callback');
    await form.getByLabel('Scopes').fill('patient/Observation.rs patient/Patient.rs');
    await form.getByLabel('From a patient’s chart in Unichart (EHR launch)').check();
    await form.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => form.isHidden()).toBe(true);

    const notice = admin.getByRole('status').filter({ hasText: 'Growth charts is registered' });
    const clientId = (await notice.getByLabel('Client id', { exact: true }).textContent())!;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    const row = admin.getByRole('row').filter({ hasText: 'Growth charts' });
    await expect.poll(() => row.textContent()).toContain(clientId);
    expect(await row.textContent()).toContain('launch launch/patient openid fhirUser patient/Observation.rs patient/Patient.rs');
    await shots.shot(admin, 'app-registered');
    await checkAccessibility(admin, dir, 'app-registered');
  });

  it('sees the clinician’s emergency access awaiting review and marks it reviewed with a note', async () => {
    await admin.getByRole('navigation').getByRole('link', { name: 'Emergency access' }).click();
    await expect.poll(() => admin.getByRole('heading', { name: 'Emergency access', level: 1 }).isVisible()).toBe(true);
    await expect.poll(() => admin.getByRole('status').filter({ hasText: '1 awaiting review' }).isVisible()).toBe(true);
    const card = admin.getByRole('article').filter({ hasText: REASON });
    await expect.poll(() => card.textContent()).toContain('Needs review');
    expect(await card.textContent()).toContain(DEMO_PHYSICIAN.email);
    expect(await card.textContent()).toMatch(/Opened during the access \([1-9]/);
    await shots.shot(admin, 'emergency-access');
    await checkAccessibility(admin, dir, 'emergency-access');

    await card.getByRole('button', { name: /^Mark .* reviewed$/ }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Save review' }).click();
    await expect.poll(() => dialog.getByText('Write what the review found').isVisible()).toBe(true);
    await dialog.getByLabel('What the review found').fill('Confirmed with the charge nurse: the patient collapsed at reception.');
    await shots.shot(admin, 'emergency-access-review');
    await checkAccessibility(admin, dir, 'emergency-access-review');
    await dialog.getByRole('button', { name: 'Save review' }).click();
    await expect.poll(() => dialog.isHidden()).toBe(true);
    await expect.poll(() => admin.getByRole('status').filter({ hasText: 'All reviewed' }).isVisible()).toBe(true);
    await expect.poll(() => card.textContent()).toContain('Confirmed with the charge nurse');
    expect(await card.textContent()).toContain('Reviewed by');
    await shots.shot(admin, 'emergency-access-reviewed');
  });
});
