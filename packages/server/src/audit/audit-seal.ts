import { createHash } from 'node:crypto';
import type { Database, SqlClient } from '../db/database.js';
import { listPractices } from '../practice/practices.js';
import { HEAD_UNSEALED_BOUND, patientsOf, unsealedEntries, UNSEALED_SEQ_MARGIN } from './audit-patient-links.js';
import { entryHash } from './audit-record.js';

const BATCH = 2000;
export const GENESIS = 'genesis';

/**
 * One link of the chain. `sealed` is the entry's digest (entryHash), or for an entry written
 * before entries had one, its whole content; the two cannot be confused (content is JSON).
 */
export function sealHash(previousHash: string, event: { id: string; recorded: string; sealed: string }): string {
  return createHash('sha256').update(`${previousHash}|${event.id}|${event.recorded}|${event.sealed}`).digest('hex');
}

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

/**
 * Links every audit event into its practice's hash chain, shortly after it commits. Writers
 * never wait for the chain (no lock on the write path); the sealer takes a per-practice lock
 * so several server copies extend one chain.
 */
export class AuditSealer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly db: Database) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => {
      this.running ??= this.sealAll()
        .then(() => undefined, () => undefined)
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async sealAll(): Promise<number> {
    let sealed = 0;
    for (const practice of await listPractices(this.db)) sealed += await this.seal(practice.id);
    return sealed;
  }

  async seal(tenantId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await this.db.transaction(tenantId, (sql) => this.sealBatch(sql, tenantId));
      total += sealed;
      if (sealed < BATCH) return total;
    }
  }

  private async sealBatch(sql: SqlClient, tenantId: string): Promise<number> {
    await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`audit-seal:${tenantId}`]);
    // The head of the chain, and how far back from it entries may still be unsealed (given to the
    // window as a number: see unsealedBound).
    const [head] = await sql.query<{ position: number; hash: string; after: number }>(
      `SELECT position, hash, ${HEAD_UNSEALED_BOUND} AS after FROM audit_seal WHERE tenant_id = $1 ORDER BY position DESC LIMIT 1`,
      [tenantId],
    );
    // The digest, not the entry: the sealer reads a few bytes per entry, not each one's JSON. With
    // them, in the same snapshot: that snapshot's horizon, and how far back the next run must look
    // to find what this one cannot see yet. Transactions running now got their ids at or after
    // its xmin, so they drew their entries' numbers after the last seal made under a snapshot
    // whose xmax was at most that.
    const events = await sql.query<{ id: string; seq: number; recorded: Date | string; sealed: string; xmax: string; next_after: number }>(
      `SELECT e.id::text AS id, e.seq, e.recorded, coalesce(e.entry_hash, e.content) AS sealed,
         pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
         coalesce((SELECT s.event_seq FROM audit_seal s WHERE s.tenant_id = $1 AND (s.snapshot_xmax IS NULL OR s.snapshot_xmax <= pg_snapshot_xmin(pg_current_snapshot()))
           ORDER BY s.position DESC LIMIT 1), 0) - ${UNSEALED_SEQ_MARGIN} AS next_after
       FROM ${unsealedEntries('e', '$1', '$2::bigint')}
       ORDER BY e.seq LIMIT ${BATCH}`,
      [tenantId, Number(head?.after ?? 0)],
    );
    if (events.length === 0) return 0;
    let previous = head?.hash ?? GENESIS;
    const hashes = events.map((event) => {
      const hash = sealHash(previous, { id: event.id, recorded: iso(event.recorded), sealed: event.sealed });
      previous = hash;
      return hash;
    });
    const first = Number(head?.position ?? 0) + 1;
    // Each seal carries the patients its entry concerns, worked out here in SQL: an entry is found
    // by patient as pending or through its seal, never neither.
    await sql.query(
      `INSERT INTO audit_seal (tenant_id, position, event_id, event_seq, hash, previous_hash, patients, snapshot_xmax, unsealed_after)
       SELECT $1, $2::bigint + u.n - 1, e.id, e.seq, u.hash, u.previous_hash, ${patientsOf('e', '$1')}, $6::xid8, greatest($7::bigint, 0)
       FROM unnest($3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY AS u(event_id, hash, previous_hash, n)
       JOIN audit_event e ON e.tenant_id = $1 AND e.id = u.event_id`,
      [tenantId, first, events.map((e) => e.id), hashes, [head?.hash ?? GENESIS, ...hashes.slice(0, -1)], events[0]!.xmax, Number(events[0]!.next_after)],
    );
    return events.length;
  }
}

/** How old an unsealed entry must be before verification reports it (the sealer runs every second). */
const UNSEALED_GRACE_MINUTES = 5;

export interface ChainProblem {
  readonly practiceId: string;
  readonly position?: number;
  readonly eventId?: string;
  readonly problem: 'altered' | 'removed' | 'chain-broken' | 'seal-missing' | 'unsealed';
  readonly detail: string;
}

/**
 * Re-computes every practice's chain from the stored events. Any event changed after sealing,
 * any removed event or seal, and any gap shows up; runs as the database owner so it sees all
 * practices.
 */
export async function verifyAuditChains(db: Database, onProgress?: (practiceId: string, checked: number) => void): Promise<{ checked: number; problems: ChainProblem[] }> {
  const problems: ChainProblem[] = [];
  let checked = 0;
  for (const practice of await listPractices(db)) {
    let previous = GENESIS;
    let expectedPosition = 1;
    let after = 0;
    for (;;) {
      const seals = await db.asOwner((sql) =>
        sql.query<{ position: number; event_id: string; hash: string; previous_hash: string; recorded: Date | string | null; content: string | null; touched: string | null; digested: boolean | null }>(
          `SELECT s.position, s.event_id::text AS event_id, s.hash, s.previous_hash, e.recorded, e.content, array_to_string(e.touched, ' ') AS touched, e.entry_hash IS NOT NULL AS digested
           FROM audit_seal s LEFT JOIN audit_event e ON e.tenant_id = s.tenant_id AND e.id = s.event_id
           WHERE s.tenant_id = $1 AND s.position > $2 ORDER BY s.position LIMIT 5000`,
          [practice.id, after],
        ),
      );
      if (seals.length === 0) break;
      for (const seal of seals) {
        const position = Number(seal.position);
        if (position !== expectedPosition) {
          problems.push({ practiceId: practice.id, position: expectedPosition, problem: 'seal-missing', detail: `seals ${expectedPosition}..${position - 1} are missing` });
        }
        if (seal.previous_hash !== previous) {
          problems.push({ practiceId: practice.id, position, eventId: seal.event_id, problem: 'chain-broken', detail: 'the seal does not follow the one before it' });
        }
        if (seal.content === null || seal.recorded === null) {
          problems.push({ practiceId: practice.id, position, eventId: seal.event_id, problem: 'removed', detail: 'the sealed audit event no longer exists' });
        } else if (sealHash(seal.previous_hash, { id: seal.event_id, recorded: iso(seal.recorded), sealed: seal.digested ? entryHash(seal.content, seal.touched) : seal.content }) !== seal.hash) {
          problems.push({ practiceId: practice.id, position, eventId: seal.event_id, problem: 'altered', detail: 'the audit event was changed after it was sealed' });
        }
        previous = seal.hash;
        expectedPosition = position + 1;
        after = position;
        checked++;
      }
      onProgress?.(practice.id, checked);
    }
    // An entry the sealer never reached is outside the chain: nothing would show if it changed.
    // Minutes old, so a check beside a running server does not count what is being sealed now.
    const unsealed = await db.asOwner((sql) =>
      sql.query<{ id: string }>(
        `SELECT e.id::text AS id FROM audit_event e
         WHERE e.tenant_id = $1 AND e.recorded < now() - interval '${UNSEALED_GRACE_MINUTES} minutes'
           AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.tenant_id = e.tenant_id AND s.event_id = e.id)
         ORDER BY e.seq LIMIT 100`,
        [practice.id],
      ),
    );
    for (const event of unsealed) {
      problems.push({ practiceId: practice.id, eventId: event.id, problem: 'unsealed', detail: `the audit event was never sealed into the chain (${UNSEALED_GRACE_MINUTES} minutes or more old)` });
    }
  }
  return { checked, problems };
}
