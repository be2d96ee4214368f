import type { Database, SqlClient } from '../db/database.js';
import { buildAuditRecord, type AuditInput, type AuditRecord } from './audit-record.js';
import { auditInsertCtes, auditParams } from './audit-sql.js';

export interface TouchedResource {
  readonly resourceType: string;
  readonly id: string;
}

interface AuditEntry {
  readonly record: AuditRecord;
}

interface Pending extends AuditEntry {
  readonly done: { resolve(): void; reject(error: unknown): void };
}

/**
 * The event names the first 50 resources touched; all of them are kept on the row, and the
 * patients they concern are linked in bulk when the entry is sealed (audit-patient-links.ts).
 */
function entryOf(input: AuditInput, touched: readonly TouchedResource[]): AuditEntry {
  const references = touched.map((t) => `${t.resourceType}/${t.id}`);
  return { record: { ...buildAuditRecord({ ...input, entities: references.slice(0, 50) }), touched: references } };
}

/**
 * Audit entries for reads, searches, sign-ins and denials. They are written in groups (every
 * entry that arrives while the previous group is being written goes into the next one), and
 * `record` resolves only once its group has committed: a response is sent after its audit
 * entry is durable, so a crash cannot lose the entry of an answered request.
 */
export class AuditTrail {
  private readonly queues = new Map<string, Pending[]>();
  private readonly flushing = new Map<string, number>();
  /**
   * Groups in flight at once per practice. On PostgreSQL a new group need not wait for the
   * previous commit (each has its own connection), so a read waits for one commit, not two.
   */
  private readonly parallelFlushes: number;

  constructor(private readonly db: Database) {
    this.parallelFlushes = db.kind === 'postgres' ? 4 : 1;
  }

  record(tenantId: string, input: AuditInput, touched: readonly TouchedResource[] = []): Promise<void> {
    return new Promise((resolve, reject) => {
      const entries = this.queues.get(tenantId) ?? [];
      entries.push({ ...entryOf(input, touched), done: { resolve, reject } });
      this.queues.set(tenantId, entries);
      if ((this.flushing.get(tenantId) ?? 0) < this.parallelFlushes) void this.flush(tenantId);
    });
  }

  /** Writes one entry with the given connection, e.g. inside the transaction that did the read. */
  async recordIn(sql: SqlClient, tenantId: string, input: AuditInput, touched: readonly TouchedResource[] = []): Promise<void> {
    const statement = insertStatement(tenantId, [entryOf(input, touched)]);
    await sql.prepared(statement.name, statement.sql, statement.params);
  }

  /** Waits until nothing is queued (shutdown, tests). */
  async settle(): Promise<void> {
    while (this.flushing.size > 0 || [...this.queues.values()].some((q) => q.length > 0)) await new Promise((r) => setTimeout(r, 5));
  }

  private async flush(tenantId: string): Promise<void> {
    this.flushing.set(tenantId, (this.flushing.get(tenantId) ?? 0) + 1);
    try {
      for (;;) {
        const batch = this.queues.get(tenantId) ?? [];
        if (batch.length === 0) break;
        this.queues.set(tenantId, []);
        try {
          await this.insert(tenantId, batch);
          batch.forEach((p) => p.done.resolve());
        } catch (error) {
          batch.forEach((p) => p.done.reject(error));
        }
      }
    } finally {
      const left = (this.flushing.get(tenantId) ?? 1) - 1;
      if (left > 0) this.flushing.set(tenantId, left);
      else this.flushing.delete(tenantId);
    }
  }

  private async insert(tenantId: string, batch: readonly Pending[]): Promise<void> {
    const statement = insertStatement(tenantId, batch);
    await this.db.prepared(tenantId, statement.name, statement.sql, statement.params);
  }
}

/** Up to this many entries go in as plain rows, one prepared statement per count. */
const MAX_PLAIN_ROWS = 16;
const ROW_COLUMNS = 'id, recorded, type, action, outcome, agent_user, agent_who, entity, source_address, content, touched';

/**
 * Reads and searches name no patients of their own (they are linked when sealed), so a small
 * group is one multi-row INSERT of scalars: PostgreSQL parses no array literal holding each
 * entry's JSON, and neither side escapes it into one. Anything else goes through the array form.
 */
function insertStatement(tenantId: string, batch: readonly AuditEntry[]): { name: string; sql: string; params: unknown[] } {
  const records = batch.map((entry) => entry.record);
  if (records.length > MAX_PLAIN_ROWS || records.some((r) => r.patients.length > 0)) {
    // The text never changes (rows travel as arrays), so PostgreSQL plans it once per connection.
    return { name: 'unichart_audit_insert', sql: `WITH ${auditInsertCtes(2).join(',\n')} SELECT 1`, params: [tenantId, ...auditParams(records)] };
  }
  const params: unknown[] = [tenantId];
  const rows = records.map((r) => {
    const first = params.length + 1;
    params.push(r.id, r.recorded, r.type, r.action, r.outcome, r.agentUser, r.agentWho, r.entity, r.sourceAddress, r.content, r.touched?.length ? r.touched : null);
    const p = (i: number) => `$${first + i}`;
    return `($1, ${p(0)}::uuid, ${p(1)}::timestamptz, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}::text[])`;
  });
  return { name: `unichart_audit_rows_${records.length}`, sql: `INSERT INTO audit_event (tenant_id, ${ROW_COLUMNS}) VALUES ${rows.join(', ')}`, params };
}
