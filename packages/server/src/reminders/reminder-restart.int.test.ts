import type { ChildProcess } from 'node:child_process';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerTarget, startChildServer, stopChild, type ServerTarget } from '../test-support/child-server.js';
import { freePort } from '../test-support/test-database.js';
import { startSmtpSink } from '../test-support/smtp-sink.js';

const ADMIN = { UNICHART_ADMIN_EMAIL: 'reminders@test.unichart', UNICHART_ADMIN_PASSWORD: 'stop me mid-run passphrase' };
const BATCH = 24;
let target: ServerTarget;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let env: Record<string, string>;

beforeAll(async () => {
  target = await createServerTarget('reminders');
  // Each message takes a moment to be accepted, so the process can be stopped while sending.
  smtp = await startSmtpSink({ delayMs: 150 });
  env = {
    ...target.env,
    ...ADMIN,
    UNICHART_SMTP_URL: smtp.url,
    UNICHART_REMINDER_HOURS: '2',
    UNICHART_JOB_POLL_MS: '100',
    UNICHART_REMINDER_PLAN_MS: '200',
    UNICHART_JOB_LEASE_MS: '1500',
    UNICHART_TIMEZONE: 'UTC',
  };
});
afterAll(async () => {
  await smtp?.close();
  await target?.cleanup();
});

/** BATCH patients, each with an appointment (own practitioner) whose 2-hour reminder is due now. */
async function bookBatch(base: string, label: string): Promise<void> {
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.UNICHART_ADMIN_EMAIL, password: ADMIN.UNICHART_ADMIN_PASSWORD }) });
  const headers = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}`, 'content-type': 'application/fhir+json' };
  const start = new Date(Date.now() + 119 * 60_000);
  const entry: BundleEntry[] = [];
  for (let i = 0; i < BATCH; i++) {
    const patient = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const practitioner = `urn:uuid:00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
    entry.push(
      { fullUrl: patient, resource: { resourceType: 'Patient', name: [{ family: `${label}${i}` }], telecom: [{ system: 'email', value: `${label}${i}@example.test` }] }, request: { method: 'POST', url: 'Patient' } },
      { fullUrl: practitioner, resource: { resourceType: 'Practitioner', name: [{ family: `Doc${i}` }] }, request: { method: 'POST', url: 'Practitioner' } },
      {
        resource: {
          resourceType: 'Appointment',
          status: 'booked',
          start: start.toISOString(),
          end: new Date(start.getTime() + 20 * 60_000).toISOString(),
          participant: [{ actor: { reference: patient }, status: 'accepted' }, { actor: { reference: practitioner }, status: 'accepted' }],
        },
        request: { method: 'POST', url: 'Appointment' },
      },
    );
  }
  const response = await fetch(`${base}/fhir/R4`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry } satisfies Bundle) });
  expect(response.status).toBe(200);
}

const mailsFor = (label: string) => smtp.received.filter((m) => m.to[0]!.startsWith(label));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runInterrupted(label: string, signal: NodeJS.Signals): Promise<void> {
  const port = await freePort();
  let server: ChildProcess = await startChildServer(port, env);
  await bookBatch(`http://127.0.0.1:${port}`, label);
  await waitFor(() => mailsFor(label).length >= 4, 'the first reminders');
  await stopChild(server, signal);
  expect(mailsFor(label).length).toBeLessThan(BATCH);
  server = await startChildServer(port, env);
  try {
    await waitFor(() => new Set(mailsFor(label).map((m) => m.messageId)).size === BATCH, 'every reminder after the restart');
    // Let the restarted process finish anything it might still (wrongly) send.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  } finally {
    await stopChild(server, 'SIGTERM');
  }
}

describe('reminders across a restart', () => {
  it('a stop mid-run loses no reminder and sends none twice', async () => {
    await runInterrupted('graceful', 'SIGTERM');
    const mails = mailsFor('graceful');
    expect(mails).toHaveLength(BATCH);
    expect(new Set(mails.map((m) => m.to[0])).size).toBe(BATCH);
  }, 180_000);

  it('a kill mid-run loses no reminder; a message caught mid-send is repeated with the same Message-ID', async () => {
    await runInterrupted('killed', 'SIGKILL');
    const mails = mailsFor('killed');
    const byRecipient = new Map<string, Set<string>>();
    for (const mail of mails) byRecipient.set(mail.to[0]!, (byRecipient.get(mail.to[0]!) ?? new Set()).add(mail.messageId));
    expect(byRecipient.size).toBe(BATCH);
    // Every patient got one message, even where it was delivered twice.
    for (const ids of byRecipient.values()) expect(ids.size).toBe(1);
    expect(mails.length - BATCH).toBeLessThanOrEqual(1);
  }, 180_000);
});
