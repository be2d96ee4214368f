import { badRequest, type IncludeTarget, type SearchParameterRegistry, type SearchRequest } from '@unichart/fhir';
import { sqlState, type SqlClient } from '../../db/database.js';
import { buildSearchQuery, keysetCondition, orderBy, type CompartmentScope } from './search-sql.js';

export interface StoredMatch {
  readonly resourceType: string;
  readonly id: string;
  /** The stored JSON text, passed through without a parse where possible. */
  readonly content: string;
}

export interface SearchResult {
  readonly matches: StoredMatch[];
  readonly included: StoredMatch[];
  readonly total?: number;
  /** Cursor for the next page, when there is one. */
  readonly next?: string;
}

const MAX_INCLUDE_ROUNDS = 4;

export async function executeSearch(
  client: SqlClient,
  tenantId: string,
  registry: SearchParameterRegistry,
  request: SearchRequest,
  compartment?: CompartmentScope,
): Promise<SearchResult> {
  for (const target of [...request.include, ...request.revinclude]) {
    if (registry.get(target.sourceType, target.code)?.type !== 'reference') {
      throw badRequest(`"${target.code}" is not a reference parameter of ${target.sourceType}`, '_include');
    }
  }
  const query = buildSearchQuery(tenantId, registry, request, compartment);
  const countOnly = request.summary === 'count';
  let total: number | undefined;
  if (countOnly || request.total === 'accurate' || request.total === 'estimate') {
    const rows = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource r WHERE ${query.where}`, query.params.values);
    total = Number(rows[0]?.n ?? 0);
  }
  if (countOnly || request.count === 0) return { matches: [], included: [], total };

  let where = query.where;
  if (request.cursor) where += `\n  AND ${keysetCondition(query.params, query.sort, decodeCursor(request.cursor))}`;
  const sortColumns = query.sort.map((s, i) => `, (${s.sql})::text AS k${i}`).join('');
  const offset = request.cursor ? '' : ` OFFSET ${request.offset}`;
  const rows = await queryPage(
    client,
    `SELECT r.id, r.content${sortColumns} FROM resource r WHERE ${where} ORDER BY ${orderBy(query.sort)} LIMIT ${request.count + 1}${offset}`,
    query.params.values,
    request.cursor !== undefined,
  );
  const hasMore = rows.length > request.count;
  const page = hasMore ? rows.slice(0, request.count) : rows;
  const matches = page.map((row) => ({ resourceType: request.resourceType, id: row.id, content: row.content }));
  if (total === undefined && !hasMore && !request.cursor && request.offset === 0) total = matches.length;
  const last = page[page.length - 1];
  const next = hasMore && last ? encodeCursor([...query.sort.map((_, i) => last[`k${i}`]!), last.id]) : undefined;
  const included = await resolveIncludes(client, tenantId, request, matches);
  return { matches, included, total, next };
}

/**
 * A cursor's sort values go back to the database as timestamps and numbers. One edited by
 * hand may not parse; the database says so (SQLSTATE class 22, data exception), and that is
 * the client's mistake, not ours.
 */
async function queryPage(client: SqlClient, sql: string, params: unknown[], hasCursor: boolean): Promise<({ id: string; content: string } & Record<string, string>)[]> {
  try {
    return await client.query<{ id: string; content: string } & Record<string, string>>(sql, params);
  } catch (error) {
    if (hasCursor && sqlState(error)?.startsWith('22')) throw badRequest('The paging cursor is not valid; start the search again', '_cursor');
    throw error;
  }
}

/** _include and _revinclude, repeated for `:iterate` on what the previous round brought in. */
async function resolveIncludes(client: SqlClient, tenantId: string, request: SearchRequest, matches: StoredMatch[]): Promise<StoredMatch[]> {
  if (request.include.length === 0 && request.revinclude.length === 0) return [];
  const seen = new Set(matches.map((m) => `${m.resourceType}/${m.id}`));
  const included: StoredMatch[] = [];
  let frontier = matches;
  for (let round = 0; round < MAX_INCLUDE_ROUNDS && frontier.length > 0; round++) {
    const found: StoredMatch[] = [];
    for (const target of request.include) {
      if (round > 0 && !target.iterate) continue;
      found.push(...(await includeTargets(client, tenantId, target, frontier)));
    }
    for (const target of request.revinclude) {
      if (round > 0 && !target.iterate) continue;
      found.push(...(await includeReferrers(client, tenantId, target, frontier)));
    }
    frontier = [];
    for (const match of found) {
      const key = `${match.resourceType}/${match.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      included.push(match);
      frontier.push(match);
    }
  }
  return included;
}

function idsOfType(matches: StoredMatch[], type: string): string[] {
  return matches.filter((m) => m.resourceType === type).map((m) => m.id);
}

async function includeTargets(client: SqlClient, tenantId: string, target: IncludeTarget, from: StoredMatch[]): Promise<StoredMatch[]> {
  const ids = idsOfType(from, target.sourceType);
  if (ids.length === 0) return [];
  const params: unknown[] = [tenantId, target.sourceType, target.code, ids];
  const typeFilter = target.targetType ? ` AND x.target_type = $${params.push(target.targetType)}` : '';
  const rows = await client.query<{ resource_type: string; id: string; content: string }>(
    `SELECT DISTINCT r.resource_type, r.id, r.content FROM sp_reference x
     JOIN resource r ON r.tenant_id = x.tenant_id AND r.resource_type = x.target_type AND r.id = x.target_id
     WHERE x.tenant_id = $1 AND x.resource_type = $2 AND x.code = $3 AND x.id = ANY($4::text[])${typeFilter} AND NOT r.deleted`,
    params,
  );
  return rows.map((row) => ({ resourceType: row.resource_type, id: row.id, content: row.content }));
}

async function includeReferrers(client: SqlClient, tenantId: string, target: IncludeTarget, from: StoredMatch[]): Promise<StoredMatch[]> {
  const types = target.targetType ? [target.targetType] : [...new Set(from.map((m) => m.resourceType))];
  const results: StoredMatch[] = [];
  for (const type of types) {
    const ids = idsOfType(from, type);
    if (ids.length === 0) continue;
    const rows = await client.query<{ id: string; content: string }>(
      `SELECT DISTINCT r.id, r.content FROM sp_reference x
       JOIN resource r ON r.tenant_id = x.tenant_id AND r.resource_type = x.resource_type AND r.id = x.id
       WHERE x.tenant_id = $1 AND x.resource_type = $2 AND x.code = $3 AND x.target_type = $4 AND x.target_id = ANY($5::text[]) AND NOT r.deleted`,
      [tenantId, target.sourceType, target.code, type, ids],
    );
    results.push(...rows.map((row) => ({ resourceType: target.sourceType, id: row.id, content: row.content })));
  }
  return results;
}

function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(values) && values.every((v) => typeof v === 'string')) return values;
  } catch {
    // fall through to the client error below
  }
  throw badRequest('The paging cursor is not valid; start the search again', '_cursor');
}
