import type { AuditRecord } from './audit-record.js';

/** The audit_event columns an entry fills, in the order auditRow and auditParams give them. */
export const AUDIT_COLUMNS = 'id, recorded, type, action, outcome, agent_user, agent_who, entity, source_address, content, touched, patients, entry_hash';

const COLUMN_TYPES = ['uuid', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

/** How many parameters one entry takes (auditRow). */
export const AUDIT_ROW_LENGTH = COLUMN_TYPES.length;

/** Which of them are arrays (`touched`, `patients`): sent as one space-separated text, split in SQL. */
const ARRAY_COLUMNS = new Set([10, 11]);

/** Column `i`'s value from the SQL expression carrying it. */
const columnValue = (i: number, carried: string): string => (ARRAY_COLUMNS.has(i) ? `string_to_array(${carried}, ' ')` : carried);

/**
 * One entry's values. The lists (`touched`, `patients`) travel as one space-separated text each:
 * neither side escapes an array literal element by element (references and ids hold no spaces),
 * and unnest could not carry an array of arrays anyway.
 */
export function auditRow(r: AuditRecord): unknown[] {
  return [
    r.id, r.recorded, r.type, r.action, r.outcome, r.agentUser, r.agentWho, r.entity, r.sourceAddress, r.content,
    r.touched,
    r.patients.length ? r.patients.join(' ') : null,
    r.entryHash,
  ];
}

/** The row's parameters ($first, $first+1, ...) as values for AUDIT_COLUMNS. */
export function auditRowValues(first: number): string {
  return COLUMN_TYPES.map((type, i) => columnValue(i, `$${first + i}::${type}`)).join(', ');
}

/** Column arrays for inserting many entries with unnest; all the parameters of auditInsertCte, in order. */
export function auditParams(records: readonly AuditRecord[]): unknown[] {
  const rows = records.map(auditRow);
  return COLUMN_TYPES.map((_, i) => rows.map((row) => row[i]));
}

/**
 * A CTE inserting audit entries from column arrays. `first` is the number of the first of its
 * 13 parameters (auditParams); `$1` must be the tenant id.
 */
export function auditInsertCte(first: number, onlyIf = 'true'): string {
  const arrays = COLUMN_TYPES.map((type, i) => `$${first + i}::${type}[]`).join(', ');
  const values = COLUMN_TYPES.map((_, i) => columnValue(i, `u.c${i}`)).join(', ');
  return `aud_event AS (
      INSERT INTO audit_event (tenant_id, ${AUDIT_COLUMNS})
      SELECT $1, ${values}
      FROM unnest(${arrays}) AS u(${COLUMN_TYPES.map((_, i) => `c${i}`).join(', ')}) WHERE ${onlyIf}
    )`;
}
