import { APP_ROLE } from '../database.js';

/**
 * The durable job queue (reminders now; claims and exports later): a job is a row, claimed
 * under a lease, so a process that dies mid-job leaves it to be taken up again once the lease
 * runs out. `dedupe_key` makes enqueueing idempotent: planning the same reminder twice
 * queues it once.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
CREATE TABLE job (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  kind text NOT NULL,
  dedupe_key text NOT NULL,
  payload text NOT NULL,
  run_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  outcome text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX job_due ON job (tenant_id, status, run_at);

GRANT SELECT, INSERT, UPDATE ON job TO ${APP_ROLE};
ALTER TABLE job ENABLE ROW LEVEL SECURITY;
CREATE POLICY job_isolation ON job USING (${tenantFilter}) WITH CHECK (${tenantFilter});
`;
