import { INDEX_TABLES, type IndexRows, type IndexTable } from '@unichart/fhir';

/** Column name and SQL array type of each index row field, per index table. */
const INDEX_COLUMNS: Record<IndexTable, [field: string, column: string, type: string][]> = {
  string: [['code', 'code', 'text'], ['value', 'value', 'text'], ['exact', 'exact', 'text']],
  token: [['code', 'code', 'text'], ['system', 'system', 'text'], ['value', 'value', 'text'], ['display', 'display', 'text']],
  date: [['code', 'code', 'text'], ['low', 'low', 'timestamptz'], ['high', 'high', 'timestamptz']],
  reference: [
    ['code', 'code', 'text'], ['targetType', 'target_type', 'text'], ['targetId', 'target_id', 'text'],
    ['url', 'url', 'text'], ['identSystem', 'ident_system', 'text'], ['identValue', 'ident_value', 'text'],
  ],
  number: [['code', 'code', 'text'], ['value', 'value', 'numeric']],
  quantity: [['code', 'code', 'text'], ['value', 'value', 'numeric'], ['system', 'system', 'text'], ['unit', 'unit', 'text'], ['unitCode', 'unit_code', 'text']],
  uri: [['code', 'code', 'text'], ['value', 'value', 'text']],
  composite: [
    ['code', 'code', 'text'], ['system', 'system', 'text'], ['value', 'value', 'text'], ['number', 'number', 'numeric'],
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
): { sql: string; params: unknown[] } {
  const deleted = version.content === undefined;
  const params: unknown[] = [tenantId, version.resourceType, version.id, version.versionId, version.lastUpdated, deleted, version.content ?? null, expectedVersion, version.method];
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
  if (expectedVersion > 0) {
    for (const table of INDEX_TABLES) {
      ctes.push(`del_${table} AS (
        DELETE FROM sp_${table} WHERE tenant_id = $1 AND resource_type = $2 AND id = $3 AND EXISTS (SELECT 1 FROM ok)
      )`);
    }
  }
  if (rows) {
    for (const table of INDEX_TABLES) {
      const tableRows = rows[table] as unknown as Record<string, unknown>[];
      if (tableRows.length === 0) continue;
      const columns = INDEX_COLUMNS[table];
      const arrays = columns.map(([field, , type]) => {
        params.push(tableRows.map((row) => row[field] ?? null));
        return `$${params.length}::${type}[]`;
      });
      ctes.push(`ins_${table} AS (
        INSERT INTO sp_${table} (tenant_id, resource_type, id, ${columns.map(([, column]) => column).join(', ')})
        SELECT $1, $2, $3, u.* FROM unnest(${arrays.join(', ')}) AS u WHERE EXISTS (SELECT 1 FROM ok)
      )`);
    }
  }
  return { sql: `WITH ${ctes.join(',\n')} SELECT count(*)::int AS written FROM ok`, params };
}
