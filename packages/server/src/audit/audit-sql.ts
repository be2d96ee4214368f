import type { AuditRecord } from './audit-record.js';

/** Column arrays for inserting audit records with unnest; the caller numbers the parameters. */
export function auditColumns(records: readonly AuditRecord[]): unknown[] {
  return [
    records.map((r) => r.id),
    records.map((r) => r.recorded),
    records.map((r) => r.type),
    records.map((r) => r.action),
    records.map((r) => r.outcome),
    records.map((r) => r.agentUser),
    records.map((r) => r.agentWho),
    records.map((r) => r.entity),
    records.map((r) => r.sourceAddress),
    records.map((r) => r.content),
    // One text per entry: unnest cannot carry an array of arrays.
    records.map((r) => (r.touched?.length ? r.touched.join(' ') : null)),
  ];
}

const EVENT_COLUMN_TYPES = ['uuid', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

/**
 * CTEs inserting audit events and the patients they are known to concern. `first` is the number
 * of the first of 14 parameters: the 11 event columns, then the patient rows (event id, patient
 * id, recorded). `$1` must be the tenant id.
 */
export function auditInsertCtes(first: number, onlyIf = 'true'): string[] {
  const p = (i: number): string => `$${first + i}`;
  const arrays = EVENT_COLUMN_TYPES.map((type, i) => `${p(i)}::${type}[]`).join(', ');
  return [
    `aud_event AS (
      INSERT INTO audit_event (tenant_id, id, recorded, type, action, outcome, agent_user, agent_who, entity, source_address, content, touched)
      SELECT $1, u.id, u.recorded, u.type, u.action, u.outcome, u.agent_user, u.agent_who, u.entity, u.source_address, u.content, string_to_array(u.touched, ' ')
      FROM unnest(${arrays}) AS u(id, recorded, type, action, outcome, agent_user, agent_who, entity, source_address, content, touched) WHERE ${onlyIf}
    )`,
    `aud_patient AS (
      INSERT INTO audit_event_patient (tenant_id, event_id, patient_id, recorded)
      SELECT DISTINCT $1, u.* FROM unnest(${p(11)}::uuid[], ${p(12)}::text[], ${p(13)}::timestamptz[]) AS u WHERE ${onlyIf}
    )`,
  ];
}

export function auditPatientColumns(records: readonly AuditRecord[]): unknown[] {
  const eventIds: string[] = [];
  const patientIds: string[] = [];
  const recorded: string[] = [];
  for (const record of records) {
    for (const patient of record.patients) {
      eventIds.push(record.id);
      patientIds.push(patient);
      recorded.push(record.recorded);
    }
  }
  return [eventIds, patientIds, recorded];
}

/** All 14 parameters of auditInsertCtes, in order. */
export function auditParams(records: readonly AuditRecord[]): unknown[] {
  return [...auditColumns(records), ...auditPatientColumns(records)];
}
