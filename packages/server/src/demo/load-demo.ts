import type { Resource, Schedule } from '@medplum/fhirtypes';
import { badRequest } from '@unichart/fhir';
import type { FhirRepository, RepositoryTransaction } from '../fhir/repository.js';
import type { AccountStore } from '../identity/account-store.js';
import { hashPassword } from '../identity/passwords.js';
import { readPracticeSetting, writePracticeSetting } from '../practice/practices.js';
import { parseScheduleTemplate, TemplateProblem } from '../scheduling/availability.js';
import { DEMO_PATIENTS, DEMO_SEED, generateDemoPractice, type DemoOptions, type DemoPractice, type DemoRole } from './generate-demo.js';

/**
 * The password of every demo account. It is published (README, first-start message) on
 * purpose: the demo is for trying the product, and is loaded by default only on the embedded
 * database of a fresh install.
 */
export const DEMO_PASSWORD = 'welcome-to-the-demo';
export const DEMO_EMAIL_DOMAIN = 'demo.unichart.local';

/** Resources per transaction of the charts: small, so requests served meanwhile wait little. */
const CHART_BATCH = 100;
const STATEMENT_BATCH = 500;

export interface DemoLoadOptions extends DemoOptions {
  /** Domain of the demo accounts' emails (emails are unique across practices). */
  readonly emailDomain?: string;
}

/** What the practice's `demo` setting records: how to generate the same demo again, and how far loading got. */
interface DemoMarker {
  readonly seed: number;
  readonly generatedFor: string;
  readonly timeZone: string;
  readonly patients: number;
  readonly practiceName?: string;
  /** Batches of the charts written so far. */
  readonly chartBatchesLoaded: number;
  readonly completedAt?: string;
}
const DEMO_SETTING = 'demo';

export interface DemoCharts {
  readonly resources: number;
  readonly milliseconds: number;
}

export type DemoLoadResult =
  | {
      readonly status: 'loaded';
      readonly resources: number;
      readonly patients: number;
      readonly appointments: number;
      readonly accounts: readonly { role: DemoRole; email: string }[];
      readonly milliseconds: number;
      /** Writes the patients' histories; resolves when all are in (or `stop` says so between batches). */
      readonly loadCharts: (stop?: () => boolean) => Promise<DemoCharts>;
    }
  | { readonly status: 'resuming'; readonly loadCharts: (stop?: () => boolean) => Promise<DemoCharts> }
  | { readonly status: 'already-loaded' }
  | { readonly status: 'practice-in-use'; readonly patients: number };

/**
 * Loads the demo practice into an empty practice, once, through the repository's bulk create
 * (validation, medical record numbers, index rows, audit entries). First, in ONE transaction
 * with the `demo` marker: the directory, patients, coverage and this fortnight's calendar, so a
 * start interrupted there leaves nothing behind. Then (`loadCharts`, which a server runs after it
 * starts listening) the patients' histories in small transactions, each advancing the marker:
 * a start interrupted there resumes on the next one, regenerating the same demo from the marker.
 * A practice that has patients of its own is left alone.
 */
export async function loadDemoPractice(repo: FhirRepository, accounts: AccountStore, options: DemoLoadOptions): Promise<DemoLoadResult> {
  const started = performance.now();
  const state = await repo.transaction((tx) => demoState(tx));
  if (state.marker) {
    if (state.marker.completedAt) return { status: 'already-loaded' };
    const marker = state.marker;
    return { status: 'resuming', loadCharts: (stop) => loadCharts(repo, regenerate(marker), marker, stop) };
  }
  if (state.patients > 0) return { status: 'practice-in-use', patients: state.patients };

  const marker: DemoMarker = {
    seed: options.seed ?? DEMO_SEED,
    generatedFor: (options.now ?? new Date()).toISOString(),
    timeZone: options.timeZone,
    patients: options.patients ?? DEMO_PATIENTS,
    practiceName: options.practiceName,
    chartBatchesLoaded: 0,
  };
  const demo = regenerate(marker);
  const created = await createAccounts(repo.tenantId, accounts, demo, options.emailDomain ?? DEMO_EMAIL_DOMAIN);
  const loaded = await repo.transaction(async (tx) => {
    // Two servers starting on one PostgreSQL database: the second waits here, then finds the marker.
    await tx.sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${repo.tenantId}|demo`]);
    const now = await demoState(tx);
    if (now.marker || now.patients > 0) return false;
    await writeResources(tx, demo.core);
    await writePracticeSetting(tx.sql, repo.tenantId, DEMO_SETTING, marker);
    return true;
  });
  if (!loaded) return { status: 'already-loaded' };
  return {
    status: 'loaded',
    resources: demo.core.length,
    patients: demo.patients,
    appointments: demo.calendar.appointments,
    accounts: created,
    milliseconds: Math.round(performance.now() - started),
    loadCharts: (stop) => loadCharts(repo, demo, marker, stop),
  };
}

function regenerate(marker: DemoMarker): DemoPractice {
  const demo = generateDemoPractice({ seed: marker.seed, now: new Date(marker.generatedFor), timeZone: marker.timeZone, patients: marker.patients, practiceName: marker.practiceName });
  for (const resource of demo.core) checkProductRules(resource, marker.timeZone);
  return demo;
}

async function demoState(tx: RepositoryTransaction): Promise<{ marker?: DemoMarker; patients: number }> {
  const marker = await readPracticeSetting<DemoMarker>(tx.sql, tx.tenantId, DEMO_SETTING);
  return { marker, patients: marker ? 0 : await tx.countResources(['Patient']) };
}

/**
 * The demo sign-ins, each only if its email is free. They are written before the resources and
 * name them by their seeded ids, so an interrupted start that created them finds them again.
 */
async function createAccounts(tenantId: string, accounts: AccountStore, demo: DemoPractice, domain: string): Promise<{ role: DemoRole; email: string }[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const created: { role: DemoRole; email: string }[] = [];
  for (const plan of demo.accounts) {
    const email = `${plan.localPart}@${domain}`;
    if (!(await accounts.findByEmail(email))) {
      await accounts.createAccount(tenantId, { email, displayName: plan.displayName, roleCode: plan.role, passwordHash, fhirUser: plan.fhirUser });
    }
    created.push({ role: plan.role, email });
  }
  return created;
}

async function loadCharts(repo: FhirRepository, demo: DemoPractice, marker: DemoMarker, stop?: () => boolean): Promise<DemoCharts> {
  const started = performance.now();
  const charts = demo.history();
  const batches = Math.ceil(charts.length / CHART_BATCH);
  let written = 0;
  for (let batch = marker.chartBatchesLoaded; batch < Math.max(batches, 1) && !stop?.(); batch++) {
    // The embedded database runs on this thread and answers through promises alone: without a
    // turn of the event loop between batches, no request would be served until the last one.
    await new Promise((resolve) => setImmediate(resolve));
    const resources = charts.slice(batch * CHART_BATCH, (batch + 1) * CHART_BATCH);
    await repo.transaction(async (tx) => {
      // The marker row is locked first: a second server resuming the same batch waits, then skips it.
      await tx.sql.query('SELECT 1 FROM practice_setting WHERE tenant_id = $1 AND key = $2 FOR UPDATE', [tx.tenantId, DEMO_SETTING]);
      const current = await readPracticeSetting<DemoMarker>(tx.sql, tx.tenantId, DEMO_SETTING);
      if (current?.chartBatchesLoaded !== batch) return;
      await writeResources(tx, resources);
      const done = batch + 1 >= batches;
      await writePracticeSetting(tx.sql, tx.tenantId, DEMO_SETTING, { ...current, chartBatchesLoaded: batch + 1, ...(done ? { completedAt: new Date().toISOString() } : {}) });
      written += resources.length;
    });
  }
  return { resources: written, milliseconds: Math.round(performance.now() - started) };
}

/** Bulk creates, a statement per batch. */
async function writeResources(tx: RepositoryTransaction, resources: readonly (Resource & { id: string })[]): Promise<void> {
  for (let i = 0; i < resources.length; i += STATEMENT_BATCH) {
    await tx.createMany(resources.slice(i, i + STATEMENT_BATCH).map((resource) => ({ resource, id: resource.id })));
  }
}

/** The scheduling module's rule for Schedules, checked here too: the loader runs before the app registers it. */
function checkProductRules(resource: Resource, timeZone: string): void {
  if (resource.resourceType !== 'Schedule') return;
  try {
    parseScheduleTemplate(resource as Schedule, timeZone);
  } catch (error) {
    if (error instanceof TemplateProblem) throw badRequest(error.message, error.path);
    throw error;
  }
}
