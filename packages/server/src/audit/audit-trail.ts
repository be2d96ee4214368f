import type { Database, SqlClient } from '../db/database.js';
import { buildAuditRecord, type AuditInput, type AuditRecord } from './audit-record.js';
import { AUDIT_COLUMNS, AUDIT_ROW_LENGTH, auditInsertCte, auditParams, auditRow, auditRowValues } from './audit-sql.js';

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

/** What the entry touched is kept on its row; the patients it concerns are found when it is sealed (audit-patient-links.ts). */
function entryOf(input: AuditInput, touched: readonly TouchedResource[]): AuditEntry {
  return { record: buildAuditRecord(input, new Date(), touched.length ? touched.map((t) => `${t.resourceType}/${t.id}`).join(' ') : null) };
}

/**
 * Audit entries for reads, searches, sign-ins and denials. They are written in groups, one
 * group in flight per practice (every entry that arrives while a group is being written goes
 * into the next one), and `record` resolves only once its group has committed: a response is
 * sent after its audit entry is durable, so a crash cannot lose the entry of an answered
 * request. One group at a time makes the groups as large as the load: a commit costs more
 * than the rows in it, and with four groups in flight each carried one or two entries.
 */
export class AuditTrail {
  private readonly queues = new Map<string, Pending[]>();
  private readonly flushing = new Set<string>();

  constructor(private readonly db: Database) {}

  record(tenantId: string, input: AuditInput, touched: readonly TouchedResource[] = []): Promise<void> {
    return new Promise((resolve, reject) => {
      const entries = this.queues.get(tenantId) ?? [];
      entries.push({ ...entryOf(input, touched), done: { resolve, reject } });
      this.queues.set(tenantId, entries);
      if (!this.flushing.has(tenantId)) void this.flush(tenantId);
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
    this.flushing.add(tenantId);
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
      this.flushing.delete(tenantId);
    }
  }

  private async insert(tenantId: string, batch: readonly Pending[]): Promise<void> {
    const statement = insertStatement(tenantId, batch);
    await this.db.prepared(tenantId, statement.name, statement.sql, statement.params);
  }
}

/** Up to this many entries go in as plain rows, one prepared statement per count. */
const MAX_PLAIN_ROWS = 16;

/**
 * A small group is one multi-row INSERT of scalars: PostgreSQL parses no array literal holding
 * each entry's JSON, and neither side escapes it into one. A larger one goes through arrays.
 */
function insertStatement(tenantId: string, batch: readonly AuditEntry[]): { name: string; sql: string; params: unknown[] } {
  const records = batch.map((entry) => entry.record);
  if (records.length > MAX_PLAIN_ROWS) return { name: 'unichart_audit_insert', sql: ARRAY_INSERT_SQL, params: [tenantId, ...auditParams(records)] };
  return { name: `unichart_audit_rows_${records.length}`, sql: PLAIN_INSERT_SQL[records.length - 1]!, params: [tenantId, ...records.flatMap(auditRow)] };
}

// The texts depend only on the group's size: built once here, not on every answered read.
const ARRAY_INSERT_SQL = `WITH ${auditInsertCte(2)} SELECT 1`;
const PLAIN_INSERT_SQL = Array.from({ length: MAX_PLAIN_ROWS }, (_, i) => {
  const rows = Array.from({ length: i + 1 }, (_, row) => `($1, ${auditRowValues(2 + row * AUDIT_ROW_LENGTH)})`);
  return `INSERT INTO audit_event (tenant_id, ${AUDIT_COLUMNS}) VALUES ${rows.join(', ')}`;
});
