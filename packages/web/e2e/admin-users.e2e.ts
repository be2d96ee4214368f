import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsFor } from './harness/artifacts.js';
import { launchChromium, openPage } from './harness/browser.js';
import { startE2eServer, type E2eServer } from './harness/e2e-server.js';
import { checkAccessibility, measureScripts, printFigure, StepShots } from './harness/screens.js';

const FRONT_DESK = { name: 'Fran Front', email: 'fran.front@e2e.unichart', password: 'reception desk 2026!' };

let server: E2eServer;
let browser: Browser;
let dir: string;
let shots: StepShots;

beforeAll(async () => {
  dir = await artifactsFor('admin-users');
  shots = new StepShots(dir);
  server = await startE2eServer({ logFile: join(dir, 'server.log') });
  browser = await launchChromium();
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

describe('the administrator manages a front-desk account', () => {
  it('creates a user who signs in, then deactivates them and their open session stops at its next action', async () => {
    const admin = await openPage(browser);

    // The sign-in screen: what it loads before anyone signs in, and its accessibility.
    const scripts = measureScripts(admin);
    await admin.goto(server.baseUrl);
    await expect.poll(() => admin.getByRole('heading', { name: 'Sign in to Unichart' }).isVisible()).toBe(true);
    await admin.waitForLoadState('networkidle');
    const initial = await scripts.stop();
    printFigure({ figure: 'web.sign-in.initial-js-gzip', unit: 'KB', value: Math.round(initial.gzipBytes / 102.4) / 10, files: initial.files, raw_kb: Math.round(initial.bytes / 1024), target_kb: 300 });
    expect(initial.gzipBytes).toBeLessThan(300 * 1024);
    await shots.shot(admin, 'sign-in');
    await checkAccessibility(admin, dir, 'sign-in');

    // A wrong password is explained in words, not a status code.
    await signIn(admin, server.adminEmail, 'not the password at all');
    await expect.poll(() => admin.getByRole('alert').textContent()).toContain('The email or password is not right');
    await shots.shot(admin, 'sign-in-wrong-password');

    await signIn(admin, server.adminEmail, server.adminPassword);
    const nav = admin.getByRole('navigation');
    await nav.getByRole('link', { name: 'Users' }).click();
    await expect.poll(() => admin.getByRole('heading', { name: 'Users', level: 1 }).isVisible()).toBe(true);
    await expect.poll(() => admin.getByRole('table', { name: 'Users' }).textContent()).toContain(server.adminEmail);
    await shots.shot(admin, 'admin-users');
    await checkAccessibility(admin, dir, 'users');

    // Create the front-desk user.
    await admin.getByRole('button', { name: 'Create user' }).click();
    const form = admin.getByRole('dialog', { name: 'Create user' });
    await form.getByLabel('Name').fill(FRONT_DESK.name);
    await form.getByLabel('Email').fill(FRONT_DESK.email);
    await form.getByLabel('Role').selectOption({ label: 'Front desk' });
    await form.getByLabel('Initial password').fill(FRONT_DESK.password);
    await shots.shot(admin, 'create-user-form');
    await checkAccessibility(admin, dir, 'create-user');
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => form.isHidden()).toBe(true);
    await expect.poll(() => admin.getByRole('status').filter({ hasText: 'User created' }).isVisible()).toBe(true);
    const row = admin.getByRole('row').filter({ hasText: FRONT_DESK.email });
    await expect.poll(() => row.textContent()).toContain('Front desk');
    await expect.poll(() => row.textContent()).toContain('Active');
    await shots.shot(admin, 'user-created');

    // The front-desk user signs in in a browser context of their own and sees the front-desk menu.
    const desk = await openPage(browser, { viewport: { width: 820, height: 1180 } });
    await desk.goto(`${server.baseUrl}/app/patients`);
    await signIn(desk, FRONT_DESK.email, FRONT_DESK.password);
    await expect.poll(() => desk.getByRole('heading', { name: 'Patients', level: 1 }).isVisible()).toBe(true);
    // Tablet width: the menu sits behind the burger button.
    await desk.getByRole('button', { name: 'Open menu' }).click();
    const deskNav = desk.getByRole('navigation');
    await expect.poll(() => deskNav.getByRole('link', { name: 'Front desk' }).isVisible()).toBe(true);
    const deskMenu = await deskNav.getByRole('link').allTextContents();
    expect(deskMenu).toEqual(['Patients', 'Front desk', 'Patient inbox']);
    await shots.shot(desk, 'front-desk-signed-in');
    await deskNav.getByRole('link', { name: 'Front desk' }).click();
    await expect.poll(() => desk.getByRole('heading', { name: 'Front desk', level: 1 }).isVisible()).toBe(true);
    // Administration is not in the menu, and its address does not open it either.
    await desk.goto(`${server.baseUrl}/app/admin/users`);
    await expect.poll(() => desk.getByRole('heading', { name: 'Page not available' }).isVisible()).toBe(true);
    await desk.getByRole('search').first().getByRole('searchbox').fill('nobody');
    await desk.keyboard.press('Enter');
    await expect.poll(() => desk.getByRole('status').filter({ hasText: 'No patient matches' }).isVisible()).toBe(true);
    await shots.shot(desk, 'front-desk-search');

    // The administrator deactivates the account.
    await admin.getByRole('button', { name: `Deactivate ${FRONT_DESK.name}` }).click();
    const confirm = admin.getByRole('dialog', { name: `Deactivate ${FRONT_DESK.name}?` });
    await confirm.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => confirm.isHidden()).toBe(true);
    await expect.poll(() => row.textContent()).toContain('Deactivated');
    await shots.shot(admin, 'user-deactivated');

    // The front desk's open session ends at its next action: the sign-in screen says why.
    await desk.getByRole('search').first().getByRole('searchbox').fill('smith');
    await desk.keyboard.press('Enter');
    await expect.poll(() => desk.getByRole('heading', { name: 'Sign in to Unichart' }).isVisible()).toBe(true);
    await expect.poll(() => desk.getByRole('status').textContent()).toContain('Your session has ended');
    await shots.shot(desk, 'front-desk-session-ended');
    // And signing in again is refused with a reason a person understands.
    await signIn(desk, FRONT_DESK.email, FRONT_DESK.password);
    await expect.poll(() => desk.getByRole('alert').textContent()).toContain('This account has been deactivated');
    await shots.shot(desk, 'front-desk-refused');
  });

  it('shows the roles and the audit trail, filters it and exports the filtered list', async () => {
    const admin = await openPage(browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await admin.goto(`${server.baseUrl}/app/admin/roles`);
    await signIn(admin, server.adminEmail, server.adminPassword);
    await expect.poll(() => admin.getByRole('heading', { name: 'Roles and permissions' }).isVisible()).toBe(true);
    await expect.poll(() => admin.getByRole('heading', { name: 'Front desk', level: 2 }).isVisible()).toBe(true);
    await shots.shot(admin, 'roles');
    await checkAccessibility(admin, dir, 'roles');

    await admin.getByRole('button', { name: 'Edit Front desk' }).click();
    const editor = admin.getByRole('dialog', { name: 'Edit Front desk' });
    await expect.poll(() => editor.getByRole('group', { name: 'Rule 1' }).isVisible()).toBe(true);
    await shots.shot(admin, 'role-editor');
    await checkAccessibility(admin, dir, 'role-editor');
    // Grant the front desk reading observations: a new rule, saved, listed on the role's card.
    const rules = await editor.getByRole('group', { name: /^Rule \d+$/ }).count();
    await editor.getByRole('button', { name: 'Add rule' }).click();
    const added = editor.getByRole('group', { name: `Rule ${rules + 1}` });
    await added.getByLabel(/^Resource types/).fill('Observation');
    await admin.keyboard.press('Enter');
    await editor.getByRole('button', { name: 'Save role' }).click();
    await expect.poll(() => editor.isHidden()).toBe(true);
    const frontDeskRules = admin.getByRole('table', { name: 'Permissions of Front desk' });
    await expect.poll(() => frontDeskRules.getByRole('row').last().textContent()).toBe('Observationread, searchWhole practice');
    await shots.shot(admin, 'role-saved');

    await admin.getByRole('navigation').getByRole('link', { name: 'Audit trail' }).click();
    await expect.poll(() => admin.getByRole('table', { name: 'Audit events' }).isVisible()).toBe(true);
    await shots.shot(admin, 'audit');
    await checkAccessibility(admin, dir, 'audit');

    // Failed sign-ins of the deactivated front-desk user, by user and action.
    await admin.getByLabel('User').selectOption({ label: `${FRONT_DESK.name} (${FRONT_DESK.email})` });
    await admin.getByLabel('Action').selectOption({ label: 'Failed sign-in' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    const events = admin.getByRole('table', { name: 'Audit events' });
    await expect.poll(() => events.textContent()).toContain('This account has been deactivated');
    const rows = await events.getByRole('row').count();
    expect(rows).toBe(2);
    await shots.shot(admin, 'audit-filtered');

    const download = admin.waitForEvent('download');
    await admin.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile(await (await download).path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('Recorded,User,Role,Action,Outcome,What,Patients,Address,Detail');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${FRONT_DESK.name},front-desk,Failed sign-in,Denied`);
    await expect.poll(() => admin.getByRole('status').filter({ hasText: 'Exported 1 event.' }).isVisible()).toBe(true);

    // The administrator's own changes are on the trail too: who deactivated whom.
    await admin.getByLabel('User').selectOption({ label: 'Anyone' });
    await admin.getByLabel('Action').selectOption({ label: 'Account deactivated' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => events.textContent()).toContain(`Deactivated ${FRONT_DESK.name} (${FRONT_DESK.email})`);
    expect(await events.textContent()).toContain('Administrator (administrator)');
    await shots.shot(admin, 'audit-account-changes');
    await admin.context().close();
  });
});
