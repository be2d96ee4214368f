import { APP_ROLE } from '../database.js';

const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

/**
 * Each answered read writes an audit entry, so what an entry costs to write is paid on every
 * request. An entry now keeps what a read returned once (in `touched`, no longer a second time in
 * its JSON), carries the digest the chain seals (`entry_hash`: the sealer chains digests instead
 * of re-reading every entry), and names the patients a write concerns in its own row.
 *
 * Which patients an entry concerns is stored once, on its seal, as one array under a GIN index:
 * a search that returned twenty patients wrote twenty index rows into audit_event_patient, each
 * with a conflict check. That table keeps the links of entries sealed before this change.
 *
 * An entry is written once and seldom read: it stays in its row uncompressed up to a page
 * (toast_tuple_target), instead of being compressed on every insert past 2 kB.
 *
 * The sealer looked back a fixed 1,000 entries for ones that committed late: a transaction that
 * wrote entries and committed after more than that many newer ones were sealed (a long import
 * under load) left them unsealed for good. Each seal now records its statement's snapshot
 * (`snapshot_xmax`) and how far back the next run must look (`unsealed_after`): to before the
 * oldest transaction still running (audit-seal.ts).
 *
 * Array overlap is not leakproof, so under row-level security PostgreSQL will not take it into
 * the GIN index (it must test the policy first): the application would scan every seal of its
 * practice. The lookup is therefore a function run as the tables' owner, bound to the practice
 * in the session setting exactly as the policy is, and returning event ids only.
 */
export const sql = `
ALTER TABLE audit_event ADD COLUMN entry_hash text;
ALTER TABLE audit_event ADD COLUMN patients text[];
ALTER TABLE audit_event SET (toast_tuple_target = 8160);
ALTER TABLE audit_seal ADD COLUMN patients text[];
ALTER TABLE audit_seal ADD COLUMN snapshot_xmax xid8;
ALTER TABLE audit_seal ADD COLUMN unsealed_after bigint;
CREATE INDEX audit_seal_patients ON audit_seal USING gin (patients);
CREATE FUNCTION unichart_sealed_audit_events(patient_ids text[]) RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
  AS $$ SELECT s.event_id FROM audit_seal s WHERE s.${tenantFilter} AND s.patients && patient_ids $$;
REVOKE ALL ON FUNCTION unichart_sealed_audit_events(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION unichart_sealed_audit_events(text[]) TO ${APP_ROLE};
`;
