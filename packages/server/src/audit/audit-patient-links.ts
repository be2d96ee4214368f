import type { Row } from '../db/database.js';

/**
 * Sequence numbers are drawn a moment before the inserting transaction gets its id, so an entry
 * may sit this far below the bound its transaction's id implies (and seals from before the
 * bound was recorded look back this far from their last entry).
 */
export const UNSEALED_SEQ_MARGIN = 1000;

/** unsealedBound as a column of the chain's head seal (in a query on audit_seal alone). */
export const HEAD_UNSEALED_BOUND = `greatest(coalesce(unsealed_after, event_seq - ${UNSEALED_SEQ_MARGIN}), 0)`;

/**
 * The seq after which entries may still be unsealed, as the last seal recorded it: every entry at
 * or below it that had committed was sealed by then, and any that had not belongs to a
 * transaction that drew its numbers later (audit-seal.ts). Read on its own, before the statement
 * that looks past it: as a subquery there, the planner could not see the value, took a third of
 * the trail to lie past it and read the whole table (each second in the sealer, and on every
 * lookup by patient); given the number it reads the few entries past it by index.
 */
export async function unsealedBound(sql: { query(text: string, params: unknown[]): Promise<Row[]> }, tenantId: string): Promise<number> {
  const [head] = await sql.query(
    `SELECT ${HEAD_UNSEALED_BOUND} AS after FROM audit_seal WHERE tenant_id = $1 ORDER BY position DESC LIMIT 1`,
    [tenantId],
  );
  return Number(head?.after ?? 0);
}

/**
 * The patients the audit_event row `alias` concerns, as one text[]: those it names itself (a
 * write's), every Patient it touched, and whoever the other resources it touched belong to by
 * their search index. `tenant` is the tenant id's parameter.
 */
export function patientsOf(alias: string, tenant: string): string {
  return `ARRAY(
    SELECT unnest(${alias}.patients)
    UNION
    SELECT l.patient_id
    -- Split before the lookup (OFFSET 0 keeps it a separate step): under row-level security a
    -- join condition holding split_part (not leakproof) cannot drive an index scan, and the
    -- lookup becomes a scan of every reference in the practice, once per entry.
    FROM (SELECT split_part(t, '/', 1) AS type, split_part(t, '/', 2) AS id FROM unnest(${alias}.touched) AS t OFFSET 0) AS x
    CROSS JOIN LATERAL (
      SELECT x.id AS patient_id WHERE x.type = 'Patient'
      UNION ALL
      SELECT r.target_id FROM sp_reference r
      WHERE x.type <> 'Patient' AND r.tenant_id = ${tenant} AND r.resource_type = x.type AND r.id = x.id AND r.target_type = 'Patient' AND r.target_id IS NOT NULL
    ) AS l
  )`;
}

/**
 * FROM and WHERE for the entries the sealer has not reached: `alias` names them, and they lie
 * after seq `after` (an SQL expression). A probe per entry of that window (LIMIT 1 keeps it a
 * probe): an anti-join the planner turns into a hash of every seal grows with the whole trail.
 */
export function unsealedEntries(alias: string, tenant: string, after: string): string {
  return `audit_event ${alias}
    LEFT JOIN LATERAL (SELECT 1 AS sealed FROM audit_seal s WHERE s.tenant_id = ${alias}.tenant_id AND s.event_id = ${alias}.id LIMIT 1) AS ${alias}_seal ON true
    WHERE ${alias}.tenant_id = ${tenant} AND ${alias}.seq > ${after} AND ${alias}_seal.sealed IS NULL`;
}

/**
 * An SQL condition on the audit_event row `e`: it concerns one of the patients in the text[]
 * parameter `patients`; `after` is the parameter holding unsealedBound. Sealed entries are found
 * by their seal's patients (a GIN lookup, see migration 017), older ones by the links they were
 * sealed with, and entries the sealer has not reached yet are worked out on the spot: an access
 * answered a moment ago is already in the accounting, and reading the trail writes nothing.
 */
export function concernsPatients(tenant: string, patients: string, after: string): string {
  return `e.id IN (
    SELECT unichart_sealed_audit_events(${patients})
    UNION ALL
    SELECT ap.event_id FROM audit_event_patient ap WHERE ap.tenant_id = ${tenant} AND ap.patient_id = ANY(${patients})
    UNION ALL
    SELECT u.id FROM ${unsealedEntries('u', tenant, after)} AND ${patientsOf('u', tenant)} && ${patients}
  )`;
}
