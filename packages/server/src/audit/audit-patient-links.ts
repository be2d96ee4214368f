import type { SqlClient } from '../db/database.js';

/** Transactions commit out of seq order; entries up to this far behind the last seal may still be unsealed. */
export const UNSEALED_SEQ_MARGIN = 1000;

/**
 * Which patients the resources an entry touched (`audit_event.touched`) concern: a Patient is
 * itself, anything else is whoever its search index points to. The links are derived data, so
 * inserting them twice changes nothing (ON CONFLICT DO NOTHING) and either caller may go first.
 */
export const LINKS_SQL = (events: string) => `
  INSERT INTO audit_event_patient (tenant_id, event_id, patient_id, recorded)
  SELECT DISTINCT $1::uuid, e.id, l.patient_id, e.recorded
  FROM (${events}) AS e
  -- Split before the lookup (OFFSET 0 keeps it a separate step): under row-level security a
  -- join condition holding split_part (not leakproof) cannot drive an index scan, and the
  -- lookup becomes a scan of every reference in the practice, once per entry.
  CROSS JOIN LATERAL (SELECT split_part(t, '/', 1) AS type, split_part(t, '/', 2) AS id FROM unnest(e.touched) AS t OFFSET 0) AS x
  CROSS JOIN LATERAL (
    SELECT x.id AS patient_id WHERE x.type = 'Patient'
    UNION ALL
    SELECT r.target_id FROM sp_reference r
    WHERE x.type <> 'Patient' AND r.tenant_id = $1::uuid AND r.resource_type = x.type AND r.id = x.id AND r.target_type = 'Patient' AND r.target_id IS NOT NULL
  ) AS l
  -- In key order: the sealer and a reader catching up, inserting the same links, cannot deadlock.
  ORDER BY 3, 4, 2
  ON CONFLICT DO NOTHING`;

/** Links the given events (the sealer's batch), in the caller's transaction. */
export async function linkAuditPatients(sql: SqlClient, tenantId: string, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await sql.query(
    LINKS_SQL('SELECT id, recorded, touched FROM audit_event WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND touched IS NOT NULL'),
    [tenantId, eventIds],
  );
}

/**
 * Links every entry the sealer has not reached yet: run before anything asks the audit trail by
 * patient, so an access answered a moment ago is already in the accounting.
 */
export async function linkPendingAuditPatients(sql: SqlClient, tenantId: string): Promise<void> {
  await sql.query(
    // A probe per entry of the window (as the sealer does), not an anti-join over every seal.
    LINKS_SQL(`SELECT e.id, e.recorded, e.touched FROM audit_event e
      LEFT JOIN LATERAL (SELECT 1 AS sealed FROM audit_seal s WHERE s.tenant_id = e.tenant_id AND s.event_id = e.id LIMIT 1) s ON true
      WHERE e.tenant_id = $1 AND e.touched IS NOT NULL AND s.sealed IS NULL
        AND e.seq > coalesce((SELECT h.event_seq FROM audit_seal h WHERE h.tenant_id = $1 ORDER BY h.position DESC LIMIT 1), 0) - ${UNSEALED_SEQ_MARGIN}`),
    [tenantId],
  );
}
