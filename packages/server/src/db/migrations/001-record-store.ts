/**
 * The record store: current and historical versions of every resource, and the search index
 * tables filled at write time. Every table leads with tenant_id (row-level security, and a
 * distribution key for Citus later).
 */
const INDEX_COLUMNS: Record<string, string> = {
  string: 'value text COLLATE "C" NOT NULL, exact text NOT NULL',
  token: 'system text, value text, display text',
  date: 'low timestamptz NOT NULL, high timestamptz NOT NULL',
  reference: 'target_type text, target_id text, url text, ident_system text, ident_value text',
  number: 'value double precision NOT NULL',
  quantity: 'value double precision NOT NULL, system text, unit text, unit_code text',
  uri: 'value text COLLATE "C" NOT NULL',
  composite:
    'system text, value text, number double precision, second_system text, second_value text, low timestamptz, high timestamptz',
};

const INDEX_LOOKUPS: Record<string, string[]> = {
  string: ['(tenant_id, resource_type, code, value)'],
  token: ['(tenant_id, resource_type, code, value, system)'],
  date: ['(tenant_id, resource_type, code, low)', '(tenant_id, resource_type, code, high)'],
  reference: ['(tenant_id, resource_type, code, target_id, target_type)', '(tenant_id, target_type, target_id)'],
  number: ['(tenant_id, resource_type, code, value)'],
  quantity: ['(tenant_id, resource_type, code, value)'],
  uri: ['(tenant_id, resource_type, code, value)'],
  composite: ['(tenant_id, resource_type, code, value, number)'],
};

const indexTables = Object.entries(INDEX_COLUMNS)
  .map(
    ([name, columns]) => `
CREATE TABLE sp_${name} (
  tenant_id uuid NOT NULL,
  resource_type text NOT NULL,
  id text NOT NULL,
  code text NOT NULL,
  ${columns}
);
CREATE INDEX sp_${name}_resource ON sp_${name} (tenant_id, resource_type, id);
${INDEX_LOOKUPS[name]!.map((cols, i) => `CREATE INDEX sp_${name}_lookup${i} ON sp_${name} ${cols};`).join('\n')}`,
  )
  .join('\n');

export const TENANT_TABLES = ['practice_setting', 'resource', 'resource_history', ...Object.keys(INDEX_COLUMNS).map((t) => `sp_${t}`)];

export const sql = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE practice (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE practice_setting (
  tenant_id uuid NOT NULL REFERENCES practice (id),
  key text NOT NULL,
  value jsonb NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE resource (
  tenant_id uuid NOT NULL,
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id bigint NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  content text,
  PRIMARY KEY (tenant_id, resource_type, id)
);
CREATE INDEX resource_last_updated ON resource (tenant_id, resource_type, last_updated);

CREATE TABLE resource_history (
  tenant_id uuid NOT NULL,
  resource_type text NOT NULL,
  id text NOT NULL,
  version_id bigint NOT NULL,
  last_updated timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  method text NOT NULL,
  content text,
  PRIMARY KEY (tenant_id, resource_type, id, version_id)
);
CREATE INDEX resource_history_type_time ON resource_history (tenant_id, resource_type, last_updated);
CREATE INDEX resource_history_time ON resource_history (tenant_id, last_updated);
${indexTables}
`;
