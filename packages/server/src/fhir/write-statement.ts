import { INDEX_TABLES, type IndexRows, type IndexTable } from '@unichart/fhir';
import type { AuditRecord } from '../audit/audit-record.js';
import { auditInsertCte, auditParams } from '../audit/audit-sql.js';

/** Column name and SQL array type of each index row field, per index table. */
const INDEX_COLUMNS: Record<IndexTable, [field: string, column: string, type: string][]> = {
  string: [['code', 'code', 'text'], ['value', 'value', 'text'], ['exact', 'exact', 'text']],
  token: [['code', 'code', 'text'], ['system', 'system', 'text'], ['value', 'value', 'text'], ['display', 'display', 'text']],
  date: [['code', 'code', 'text'], ['low', 'low', 'timestamptz'], ['high', 'high', 'timestamptz']],
  reference: [
    ['code', 'code', 'text'], ['targetType', 'target_type', 'text'], ['targetId', 'target_id', 'text'],
    ['url', 'url', 'text'], ['identSystem', 'ident_system', 'text'], ['identValue', 'ident_value', 'text'],
  ],
  number: [['code', 'code', 'text'], ['value', 'value', 'float8']],
  quantity: [['code', 'code', 'text'], ['value', 'value', 'float8'], ['system', 'system', 'text'], ['unit', 'unit', 'text'], ['unitCode', 'unit_code', 'text']],
  uri: [['code', 'code', 'text'], ['value', 'value', 'text']],
  composite: [
    ['code', 'code', 'text'], ['system', 'system', 'text'], ['value', 'value', 'text'], ['number', 'number', 'float8'],
    ['secondSystem', 'second_system', 'text'], ['secondValue', 'second_value', 'text'], ['low', 'low', 'timestamptz'], ['high', 'high', 'timestamptz'],
  ],
};

export interface ResourceVersion {
  readonly resourceType: string;
  readonly id: string;
  readonly versionId: number;
  readonly lastUpdated: string;
  /** The stored JSON text; undefined for a deletion. */
  readonly content: string | undefined;
  readonly method: 'create' | 'update' | 'patch' | 'delete';
}

/**
 * One statement that writes a version: the current row (only if it is still at
 * `expectedVersion`, 0 when it must not exist yet), its history row, and its index rows. It
 * returns one row when written and none when another writer got there first. One round trip
 * keeps the write path short on both databases.
 */
export function buildWriteStatement(
  tenantId: string,
  version: ResourceVersion,
  expectedVersion: number,
  rows: IndexRows | undefined,
  /** Absent only when auditing is switched off for a measurement (empty arrays insert nothing). */
  audit: AuditRecord | undefined,
): { name: string; sql: string; params: unknown[] } {
  const deleted = version.content === undefined;
  const params: unknown[] = [tenantId, version.resourceType, version.id, version.versionId, version.lastUpdated, deleted, version.content ?? null, expectedVersion, version.method];
  for (const table of INDEX_TABLES) {
    const tableRows = (rows?.[table] ?? []) as unknown as Record<string, unknown>[];
    for (const [field] of INDEX_COLUMNS[table]) params.push(tableRows.map((row) => row[field] ?? null));
  }
  params.push(...auditParams(audit ? [audit] : []));
  const isUpdate = expectedVersion > 0;
  // The text depends only on create-or-update, so each connection prepares it once and
  // PostgreSQL reuses the plan (empty arrays insert nothing).
  return { name: isUpdate ? 'unichart_write_update' : 'unichart_write_create', sql: isUpdate ? UPDATE_SQL : CREATE_SQL, params };
}

function writeStatementSql(isUpdate: boolean): string {
  const ctes: string[] = [
    `cur AS (
      INSERT INTO resource (tenant_id, resource_type, id, version_id, last_updated, deleted, content)
      SELECT $1, $2, $3, $4, $5, $6, $7 WHERE $8::bigint = 0
      ON CONFLICT (tenant_id, resource_type, id) DO NOTHING
      RETURNING 1
    )`,
    `upd AS (
      UPDATE resource SET version_id = $4, last_updated = $5, deleted = $6, content = $7
      WHERE tenant_id = $1 AND resource_type = $2 AND id = $3 AND version_id = $8 AND $8::bigint > 0
      RETURNING 1
    )`,
    `ok AS (SELECT 1 AS written FROM cur UNION ALL SELECT 1 FROM upd)`,
    `hist AS (
      INSERT INTO resource_history (tenant_id, resource_type, id, version_id, last_updated, deleted, method, content)
      SELECT $1, $2, $3, $4, $5, $6, $9, $7 FROM ok
    )`,
  ];
  if (isUpdate) {
    for (const table of INDEX_TABLES) {
      ctes.push(`del_${table} AS (
        DELETE FROM sp_${table} WHERE tenant_id = $1 AND resource_type = $2 AND id = $3 AND EXISTS (SELECT 1 FROM ok)
      )`);
    }
  }
  let next = 10;
  for (const table of INDEX_TABLES) {
    const columns = INDEX_COLUMNS[table];
    const arrays = columns.map(([, , type]) => `$${next++}::${type}[]`);
    ctes.push(`ins_${table} AS (
      INSERT INTO sp_${table} (tenant_id, resource_type, id, ${columns.map(([, column]) => column).join(', ')})
      SELECT $1, $2, $3, u.* FROM unnest(${arrays.join(', ')}) AS u WHERE EXISTS (SELECT 1 FROM ok)
    )`);
  }
  // The write's audit entry commits with it; if the write is refused the statement fails as a whole.
  ctes.push(auditInsertCte(next, 'EXISTS (SELECT 1 FROM ok)'));
  return `WITH ${ctes.join(',\n')} SELECT count(*)::int AS written FROM ok`;
}

const CREATE_SQL = writeStatementSql(false);
const UPDATE_SQL = writeStatementSql(true);

/**
 * Creates many new resources in one statement (bulk import, transaction Bundles): one
 * round trip and one plan for the whole batch instead of one per resource.
 */
export function buildCreateManyStatement(
  tenantId: string,
  lastUpdated: string,
  versions: readonly { resourceType: string; id: string; content: string; rows: IndexRows }[],
  audit: readonly AuditRecord[],
): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId, lastUpdated, versions.map((v) => v.resourceType), versions.map((v) => v.id), versions.map((v) => v.content)];
  const ctes: string[] = [
    `cur AS (
      INSERT INTO resource (tenant_id, resource_type, id, version_id, last_updated, deleted, content)
      SELECT $1, u.t, u.i, 1, $2, false, u.c FROM unnest($3::text[], $4::text[], $5::text[]) AS u(t, i, c)
      RETURNING 1
    )`,
    `hist AS (
      INSERT INTO resource_history (tenant_id, resource_type, id, version_id, last_updated, deleted, method, content)
      SELECT $1, u.t, u.i, 1, $2, false, 'create', u.c FROM unnest($3::text[], $4::text[], $5::text[]) AS u(t, i, c)
    )`,
  ];
  ctes.push(...indexInsertCtes(params, versions));
  ctes.push(auditInsertCte(params.length + 1));
  params.push(...auditParams(audit));
  return { sql: `WITH ${ctes.join(',\n')} SELECT count(*)::int AS written FROM cur`, params };
}

/** INSERT CTEs adding the index rows of many resources; parameter $1 is the tenant id. */
function indexInsertCtes(params: unknown[], owners: readonly { resourceType: string; id: string; rows: IndexRows }[]): string[] {
  const ctes: string[] = [];
  for (const table of INDEX_TABLES) {
    const types: string[] = [];
    const ids: string[] = [];
    const tableRows: Record<string, unknown>[] = [];
    for (const owner of owners) {
      for (const row of owner.rows[table] as unknown as Record<string, unknown>[]) {
        types.push(owner.resourceType);
        ids.push(owner.id);
        tableRows.push(row);
      }
    }
    if (tableRows.length === 0) continue;
    const columns = INDEX_COLUMNS[table];
    const arrays = [types, ids, ...columns.map(([field]) => tableRows.map((row) => row[field] ?? null))].map((values, i) => {
      params.push(values);
      return `$${params.length}::${i < 2 ? 'text' : columns[i - 2]![2]}[]`;
    });
    ctes.push(`ins_${table} AS (
      INSERT INTO sp_${table} (tenant_id, resource_type, id, ${columns.map(([, column]) => column).join(', ')})
      SELECT $1, u.* FROM unnest(${arrays.join(', ')}) AS u
    )`);
  }
  return ctes;
}

/** Replaces the index rows of the given search parameter codes for a batch of resources of one type. */
export function buildReindexStatement(
  tenantId: string,
  resourceType: string,
  codes: readonly string[],
  entries: readonly { id: string; rows: IndexRows }[],
): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId, resourceType, codes, entries.map((e) => e.id)];
  const ctes = INDEX_TABLES.map(
    (table) => `del_${table} AS (DELETE FROM sp_${table} WHERE tenant_id = $1 AND resource_type = $2 AND code = ANY($3::text[]) AND id = ANY($4::text[]))`,
  );
  ctes.push(...indexInsertCtes(params, entries.map((e) => ({ resourceType, id: e.id, rows: e.rows }))));
  return { sql: `WITH ${ctes.join(',\n')} SELECT 1`, params };
}
