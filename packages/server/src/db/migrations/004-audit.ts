import { APP_ROLE } from '../database.js';

/**
 * The audit trail: append-only. The application role may only INSERT and SELECT, and triggers
 * refuse UPDATE, DELETE and TRUNCATE for every role, superusers included. Each event is
 * sealed into a per-practice hash chain (audit_seal) so that an edit made by someone who
 * disabled the triggers is still detected by `unichart audit verify`.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
CREATE TABLE audit_event (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  seq bigserial NOT NULL,
  recorded timestamptz NOT NULL,
  type text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL,
  agent_user text,
  agent_who text,
  entity text,
  source_address text,
  content text NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_event_recorded ON audit_event (tenant_id, recorded);
CREATE INDEX audit_event_agent ON audit_event (tenant_id, agent_user, recorded);
CREATE INDEX audit_event_entity ON audit_event (tenant_id, entity, recorded);
CREATE INDEX audit_event_seq ON audit_event (tenant_id, seq);

-- Which patients an event is about (a search can touch many): accounting of disclosures.
CREATE TABLE audit_event_patient (
  tenant_id uuid NOT NULL,
  event_id uuid NOT NULL,
  patient_id text NOT NULL,
  recorded timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, patient_id, recorded, event_id)
);

CREATE TABLE audit_seal (
  tenant_id uuid NOT NULL,
  position bigint NOT NULL,
  event_id uuid NOT NULL,
  event_seq bigint NOT NULL,
  hash text NOT NULL,
  previous_hash text NOT NULL,
  sealed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, position)
);
CREATE UNIQUE INDEX audit_seal_event ON audit_seal (tenant_id, event_id);

CREATE FUNCTION unichart_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

${['audit_event', 'audit_event_patient', 'audit_seal']
  .map(
    (table) => `
CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION unichart_refuse_audit_change();
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION unichart_refuse_audit_change();
GRANT SELECT, INSERT ON ${table} TO ${APP_ROLE};
ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY ${table}_isolation ON ${table} USING (${tenantFilter}) WITH CHECK (${tenantFilter});`,
  )
  .join('\n')}
GRANT USAGE ON SEQUENCE audit_event_seq_seq TO ${APP_ROLE};
`;
