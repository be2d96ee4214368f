import { randomUUID } from 'node:crypto';
import type { Database, SqlClient } from '../db/database.js';
import { listPractices } from '../practice/practices.js';

export interface NewJob {
  readonly kind: string;
  /** The same key is queued once, however often it is planned. */
  readonly dedupeKey: string;
  readonly payload: unknown;
  readonly runAt: Date;
}

export interface ClaimedJob {
  readonly tenantId: string;
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempts: number;
}

export type JobHandler = (job: ClaimedJob) => Promise<string | void>;

/** Attempts before a job is kept as failed. */
export const MAX_ATTEMPTS = 5;

/** Queues a job inside the caller's transaction, so it exists exactly when the work that wants it commits. */
export async function enqueueJob(sql: SqlClient, tenantId: string, job: NewJob): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO job (tenant_id, id, kind, dedupe_key, payload, run_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING 1`,
    [tenantId, randomUUID(), job.kind, job.dedupeKey, JSON.stringify(job.payload), job.runAt.toISOString()],
  );
  return rows.length === 1;
}

/**
 * A long job keeps its claim: without this, another process would take it up once the lease ran
 * out. False when the claim is no longer this run's (the lease ran out and another took it).
 */
export async function renewLease(db: Database, job: ClaimedJob, leaseMs: number): Promise<boolean> {
  const renewed = await db.query(
    job.tenantId,
    `UPDATE job SET locked_until = now() + ($3::int * interval '1 millisecond')
     WHERE tenant_id = $1 AND id = $2 AND status = 'running' AND attempts = $4 RETURNING id`,
    [job.tenantId, job.id, leaseMs, job.attempts],
  );
  return renewed.length === 1;
}

/**
 * Runs due jobs. A job is claimed under a lease and marked done only after its handler
 * returns; a process that stops mid-job leaves it to be claimed again when the lease runs out.
 * Handlers must therefore be safe to repeat (they check what they already did). A failure is
 * retried with growing delays, then kept as failed with its reason.
 */
export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private nudgedWhileRunning = false;

  constructor(
    private readonly db: Database,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly options: { leaseMs?: number; batch?: number; onError?: (message: string, error: unknown) => void } = {},
  ) {}

  start(intervalMs = 1000): void {
    this.stopping = false;
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  /**
   * Runs due jobs now (of one practice, when given), without waiting for the next poll; a nudge
   * during a run brings another run after it, so a job queued meanwhile is not left waiting.
   */
  nudge(tenantId?: string): void {
    if (this.stopping) return;
    if (this.running) {
      this.nudgedWhileRunning = true;
      return;
    }
    this.running = this.runDue(tenantId)
      .then(() => undefined, (error: unknown) => this.options.onError?.('job runner failed', error))
      .finally(() => {
        this.running = undefined;
        if (!this.nudgedWhileRunning) return;
        this.nudgedWhileRunning = false;
        this.nudge();
      });
  }

  /** Stops claiming; the job in hand finishes first, so nothing is left half done. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Runs every job due now, practice by practice (or of the one practice given); returns how many ran. */
  async runDue(tenantId?: string): Promise<number> {
    let ran = 0;
    for (const practice of tenantId ? [{ id: tenantId }] : await listPractices(this.db)) {
      for (;;) {
        if (this.stopping) return ran;
        const jobs = await this.claim(practice.id);
        for (const [i, job] of jobs.entries()) {
          if (this.stopping) {
            await this.release(jobs.slice(i));
            return ran;
          }
          await this.runOne(job);
          ran++;
        }
        if (jobs.length < (this.options.batch ?? 10)) break;
      }
    }
    return ran;
  }

  private async claim(tenantId: string): Promise<ClaimedJob[]> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const rows = await this.db.query<{ id: string; kind: string; payload: string; attempts: number }>(
      tenantId,
      `UPDATE job SET status = 'running', attempts = attempts + 1, locked_until = now() + ($3::int * interval '1 millisecond')
       WHERE tenant_id = $1 AND id IN (
         SELECT id FROM job WHERE tenant_id = $1 AND kind = ANY($4::text[])
           AND ((status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
         ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, payload, attempts`,
      [tenantId, this.options.batch ?? 10, leaseMs, [...this.handlers.keys()]],
    );
    return rows.map((r) => ({ tenantId, id: r.id, kind: r.kind, payload: JSON.parse(r.payload), attempts: Number(r.attempts) }));
  }

  /** Claimed but not started (the process is stopping): back to the queue at once, not after the lease. */
  private async release(jobs: readonly ClaimedJob[]): Promise<void> {
    for (const job of jobs) {
      await this.db.query(job.tenantId, `UPDATE job SET status = 'pending', attempts = attempts - 1, locked_until = NULL WHERE tenant_id = $1 AND id = $2`, [job.tenantId, job.id]);
    }
  }

  private async runOne(job: ClaimedJob): Promise<void> {
    try {
      const outcome = await this.handlers.get(job.kind)!(job);
      await this.finish(job, 'done', outcome ?? 'done');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (job.attempts >= MAX_ATTEMPTS) {
        await this.finish(job, 'failed', reason);
        this.options.onError?.(`job ${job.kind} ${job.id} failed for good`, error);
        return;
      }
      // 30 s, 2 min, 8 min, 32 min.
      const delayMs = 30_000 * 4 ** (job.attempts - 1);
      await this.db.query(
        job.tenantId,
        `UPDATE job SET status = 'pending', run_at = now() + ($3::int * interval '1 millisecond'), locked_until = NULL, outcome = $4 WHERE tenant_id = $1 AND id = $2`,
        [job.tenantId, job.id, delayMs, reason],
      );
    }
  }

  private async finish(job: ClaimedJob, status: 'done' | 'failed', outcome: string): Promise<void> {
    await this.db.query(job.tenantId, `UPDATE job SET status = $3, outcome = $4, finished_at = now(), locked_until = NULL WHERE tenant_id = $1 AND id = $2`, [
      job.tenantId,
      job.id,
      status,
      outcome,
    ]);
  }
}
