import { describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';
import { enqueueJob, JobRunner, renewLease, type ClaimedJob } from './job-queue.js';

const env = useTestServer();
const jobs = () => env.db.query<{ dedupe_key: string; status: string; attempts: number; outcome: string | null; run_at: Date }>(env.server.practice.id, 'SELECT dedupe_key, status, attempts, outcome, run_at FROM job ORDER BY created_at, dedupe_key');

describe('the job queue', () => {
  it('queues a job once per key, runs it when due, and keeps its outcome', async () => {
    const tenantId = env.server.practice.id;
    const ran: ClaimedJob[] = [];
    const runner = new JobRunner(env.db, new Map([['echo', async (job: ClaimedJob) => { ran.push(job); return `echoed ${(job.payload as { n: number }).n}`; }]]));
    await env.db.transaction(tenantId, async (sql) => {
      expect(await enqueueJob(sql, tenantId, { kind: 'echo', dedupeKey: 'echo-1', payload: { n: 1 }, runAt: new Date(Date.now() - 1000) })).toBe(true);
      expect(await enqueueJob(sql, tenantId, { kind: 'echo', dedupeKey: 'echo-1', payload: { n: 1 }, runAt: new Date() })).toBe(false);
      expect(await enqueueJob(sql, tenantId, { kind: 'echo', dedupeKey: 'echo-later', payload: { n: 2 }, runAt: new Date(Date.now() + 3_600_000) })).toBe(true);
    });
    expect(await runner.runDue()).toBe(1);
    expect(ran.map((j) => j.payload)).toEqual([{ n: 1 }]);
    expect((await jobs()).map((j) => [j.dedupe_key, j.status, j.outcome])).toEqual([
      ['echo-1', 'done', 'echoed 1'],
      ['echo-later', 'pending', null],
    ]);
  });

  it('retries a failing job later with its reason, and gives up after five attempts', async () => {
    const tenantId = env.server.practice.id;
    const runner = new JobRunner(env.db, new Map([['flaky', async () => { throw new Error('provider unreachable'); }]]));
    await env.db.transaction(tenantId, (sql) => enqueueJob(sql, tenantId, { kind: 'flaky', dedupeKey: 'flaky-1', payload: {}, runAt: new Date(Date.now() - 1000) }));
    expect(await runner.runDue()).toBe(1);
    const [, , first] = await jobs();
    expect(first).toMatchObject({ status: 'pending', attempts: 1, outcome: 'provider unreachable' });
    expect(new Date(first!.run_at).getTime()).toBeGreaterThan(Date.now() + 20_000);
    for (let attempt = 2; attempt <= 5; attempt++) {
      await env.db.query(tenantId, "UPDATE job SET run_at = now() - interval '1 second' WHERE dedupe_key = 'flaky-1'");
      await runner.runDue();
    }
    const [, , last] = await jobs();
    expect(last).toMatchObject({ status: 'failed', attempts: 5, outcome: 'provider unreachable' });
  });

  it('keeps a claim only while it is this run\'s: once another process took the job, renewing says so', async () => {
    const tenantId = env.server.practice.id;
    let claimed: ClaimedJob | undefined;
    const runner = new JobRunner(env.db, new Map([['long', async (job: ClaimedJob) => {
      claimed = job;
      expect(await renewLease(env.db, job, 60_000)).toBe(true);
      // The lease ran out and another process claimed the job (one more attempt).
      await env.db.query(tenantId, "UPDATE job SET attempts = attempts + 1 WHERE dedupe_key = 'long-1'");
      expect(await renewLease(env.db, job, 60_000)).toBe(false);
    }]]));
    await env.db.transaction(tenantId, (sql) => enqueueJob(sql, tenantId, { kind: 'long', dedupeKey: 'long-1', payload: {}, runAt: new Date(Date.now() - 1000) }));
    expect(await runner.runDue()).toBe(1);
    expect(claimed?.attempts).toBe(1);
  });
});
