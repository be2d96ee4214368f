import { createHash } from 'node:crypto';
import type { Database, SqlClient } from '../db/database.js';
import { listPractices } from '../practice/practices.js';
import { linkAuditPatients, UNSEALED_SEQ_MARGIN } from './audit-patient-links.js';

const BATCH = 2000;
export const GENESIS = 'genesis';

export function sealHash(previousHash: string, event: { id: string; recorded: string; content: string }): string {
  return createHash('sha256').update(`${previousHash}|${event.id}|${event.recorded}|${event.content}`).digest('hex');
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
    const [head] = await sql.query<{ position: number; hash: string; event_seq: number }>(
      'SELECT position, hash, event_seq FROM audit_seal WHERE tenant_id = $1 ORDER BY position DESC LIMIT 1',
      [tenantId],
    );
    const events = await sql.query<{ id: string; seq: number; recorded: Date | string; content: string }>(
      // One index probe per event of the window (LIMIT 1 keeps it a probe): an anti-join the
      // planner turns into a hash of every seal grows with the whole trail, once a second.
      `SELECT e.id::text AS id, e.seq, e.recorded, e.content FROM audit_event e
       LEFT JOIN LATERAL (SELECT 1 AS sealed FROM audit_seal s WHERE s.tenant_id = e.tenant_id AND s.event_id = e.id LIMIT 1) s ON true
       WHERE e.tenant_id = $1 AND e.seq > $2 AND s.sealed IS NULL
       ORDER BY e.seq LIMIT ${BATCH}`,
      [tenantId, Math.max(0, Number(head?.event_seq ?? 0) - UNSEALED_SEQ_MARGIN)],
    );
    if (events.length === 0) return 0;
    let previous = head?.hash ?? GENESIS;
    let position = Number(head?.position ?? 0);
    const rows = events.map((event) => {
      const hash = sealHash(previous, { id: event.id, recorded: iso(event.recorded), content: event.content });
      const row = { position: ++position, eventId: event.id, seq: Number(event.seq), hash, previous };
      previous = hash;
      return row;
    });
    await sql.query(
      `INSERT INTO audit_seal (tenant_id, position, event_id, event_seq, hash, previous_hash)
       SELECT $1, u.* FROM unnest($2::bigint[], $3::uuid[], $4::bigint[], $5::text[], $6::text[]) AS u`,
      [tenantId, rows.map((r) => r.position), rows.map((r) => r.eventId), rows.map((r) => r.seq), rows.map((r) => r.hash), rows.map((r) => r.previous)],
    );
    // Sealed and linked to its patients in one commit: an entry is either pending in both or in neither.
    await linkAuditPatients(sql, tenantId, rows.map((r) => r.eventId));
    return rows.length;
  }
}

export interface ChainProblem {
  readonly practiceId: string;
  readonly position?: number;
  readonly eventId?: string;
  readonly problem: 'altered' | 'removed' | 'chain-broken' | 'seal-missing';
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
        sql.query<{ position: number; event_id: string; hash: string; previous_hash: string; recorded: Date | string | null; content: string | null }>(
          `SELECT s.position, s.event_id::text AS event_id, s.hash, s.previous_hash, e.recorded, e.content
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
        } else if (sealHash(seal.previous_hash, { id: seal.event_id, recorded: iso(seal.recorded), content: seal.content }) !== seal.hash) {
          problems.push({ practiceId: practice.id, position, eventId: seal.event_id, problem: 'altered', detail: 'the audit event was changed after it was sealed' });
        }
        previous = seal.hash;
        expectedPosition = position + 1;
        after = position;
        checked++;
      }
      onProgress?.(practice.id, checked);
    }
  }
  return { checked, problems };
}
