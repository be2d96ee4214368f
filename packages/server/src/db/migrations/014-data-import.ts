import { APP_ROLE } from '../database.js';

/**
 * Imports started from the administrator's screen: the import, and each uploaded file with its
 * progress and problems, so the screen can poll and a restart can tell what was finished. A
 * file's content is kept only until it has been imported: the record itself is the copy.
 */
const tenantFilter = `tenant_id = nullif(current_setting('app.tenant', true), '')::uuid`;

export const sql = `
CREATE TABLE data_import (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  started_by text NOT NULL,
  agent jsonb NOT NULL,
  source_address text,
  failure text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX data_import_recent ON data_import (tenant_id, created_at DESC);

CREATE TABLE data_import_file (
  tenant_id uuid NOT NULL,
  import_id uuid NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  size_bytes integer NOT NULL,
  content text,
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'running', 'done', 'failed')),
  entries_total integer NOT NULL,
  entries_done integer NOT NULL DEFAULT 0,
  created integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  problems jsonb NOT NULL DEFAULT '[]',
  PRIMARY KEY (tenant_id, import_id, position),
  FOREIGN KEY (tenant_id, import_id) REFERENCES data_import (tenant_id, id)
);

GRANT SELECT, INSERT, UPDATE ON data_import, data_import_file TO ${APP_ROLE};
ALTER TABLE data_import ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_import_file ENABLE ROW LEVEL SECURITY;
CREATE POLICY data_import_isolation ON data_import USING (${tenantFilter}) WITH CHECK (${tenantFilter});
CREATE POLICY data_import_file_isolation ON data_import_file USING (${tenantFilter}) WITH CHECK (${tenantFilter});
`;
