import type { Database, SqlClient } from '../db/database.js';
import { buildAuditRecord, type AuditInput, type AuditRecord } from './audit-record.js';
import { auditInsertCtes, auditParams, AUDIT_PARAM_COUNT } from './audit-sql.js';

export interface TouchedResource {
  readonly resourceType: string;
  readonly id: string;
}

interface AuditEntry {
  readonly record: AuditRecord;
  readonly touched: readonly TouchedResource[];
}

interface Pending extends AuditEntry {
  readonly done: { resolve(): void; reject(error: unknown): void };
}

/** The event names the first 50 resources touched; all of them count for the patient links. */
function entryOf(input: AuditInput, touched: readonly TouchedResource[]): AuditEntry {
  const shown = touched.slice(0, 50).map((t) => `${t.resourceType}/${t.id}`);
  return { record: buildAuditRecord({ ...input, entities: shown }), touched };
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
    await sql.prepared(INSERT_NAME, statement.sql, statement.params);
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
    await this.db.prepared(tenantId, INSERT_NAME, statement.sql, statement.params);
  }
}

/** The text never changes (rows travel as arrays), so PostgreSQL plans it once per connection. */
const INSERT_NAME = 'unichart_audit_insert';

function insertStatement(tenantId: string, batch: readonly AuditEntry[]): { sql: string; params: unknown[] } {
    const records = batch.map((p) => p.record);
    const params: unknown[] = [tenantId, ...auditParams(records)];
    const touched = batch.flatMap((p) => p.touched.map((t) => ({ event: p.record.id, recorded: p.record.recorded, ...t })));
    const first = 2 + AUDIT_PARAM_COUNT;
    params.push(touched.map((t) => t.event), touched.map((t) => t.resourceType), touched.map((t) => t.id), touched.map((t) => t.recorded));
    // Which patients the touched resources are about is resolved from the search index here,
    // in the same statement, rather than by parsing every resource that was read.
    const sql = `WITH ${auditInsertCtes(2).join(',\n')},
      touched AS (SELECT * FROM unnest($${first}::uuid[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::timestamptz[]) AS u(event_id, resource_type, id, recorded)),
      touched_patients AS (
        INSERT INTO audit_event_patient (tenant_id, event_id, patient_id, recorded)
        SELECT $1, event_id, patient_id, recorded FROM (
          SELECT t.event_id, t.id AS patient_id, t.recorded FROM touched t WHERE t.resource_type = 'Patient'
          UNION
          SELECT t.event_id, r.target_id, t.recorded FROM touched t
          JOIN sp_reference r ON r.tenant_id = $1 AND r.resource_type = t.resource_type AND r.id = t.id AND r.target_type = 'Patient'
          WHERE t.resource_type <> 'Patient' AND r.target_id IS NOT NULL
        ) AS p
        WHERE NOT EXISTS (SELECT 1 FROM unnest($${2 + 10}::uuid[], $${2 + 11}::text[]) AS k(event_id, patient_id) WHERE k.event_id = p.event_id AND k.patient_id = p.patient_id)
      )
      SELECT 1`;
    return { sql, params };
}
