import { badRequest, type SearchParameterRegistry, type SearchRequest, type SortKey } from '@unichart/fhir';
import { filterCondition, type ConditionContext } from './filter-conditions.js';
import { SqlParams } from './sql-params.js';

/** Restricts a search to one compartment, e.g. everything linked to Patient/123. */
export interface CompartmentScope {
  readonly type: string;
  readonly id: string;
  /** Several compartments at once (a clinician's care team): any of these ids, instead of `id`. */
  readonly ids?: readonly string[];
  /** Reference parameters of the searched type that link it to the compartment. */
  readonly params: readonly string[];
}

export interface SortExpression {
  readonly sql: string;
  readonly descending: boolean;
  readonly sqlType: 'text' | 'timestamptz' | 'float8';
}

export interface SearchQuery {
  readonly params: SqlParams;
  readonly where: string;
  readonly sort: readonly SortExpression[];
}

/**
 * The WHERE clause and ORDER BY keys of a search, over the resource table aliased `r`.
 * Every filter is an EXISTS against an indexed search table; nothing reads the JSON.
 */
export function buildSearchQuery(
  tenantId: string,
  registry: SearchParameterRegistry,
  request: SearchRequest,
  compartment?: CompartmentScope,
): SearchQuery {
  const params = new SqlParams();
  const tenant = params.add(tenantId);
  const ctx: ConditionContext = { registry, params, tenant, depth: 0 };
  const conditions = [`r.tenant_id = ${tenant}`, `r.resource_type = ${params.add(request.resourceType)}`, 'NOT r.deleted'];
  for (const filter of request.filters) conditions.push(filterCondition(ctx, request.resourceType, 'r.id', filter));
  if (compartment) conditions.push(compartmentCondition(ctx, request.resourceType, compartment));
  const sort = request.sort.map((key) => sortExpression(ctx, request.resourceType, key));
  return { params, where: conditions.join('\n  AND '), sort };
}

function compartmentCondition(ctx: ConditionContext, resourceType: string, compartment: CompartmentScope): string {
  // Parameters are numbered as they are added: add the target only where the SQL uses it.
  const target = () => (compartment.ids ? `= ANY(${ctx.params.add(compartment.ids)}::text[])` : `= ${ctx.params.add(compartment.id)}`);
  if (resourceType === compartment.type) return `r.id ${target()}`;
  if (compartment.params.length === 0) return 'false';
  const codes = ctx.params.add(compartment.params);
  const type = ctx.params.add(compartment.type);
  return `EXISTS (SELECT 1 FROM sp_reference cm WHERE cm.tenant_id = ${ctx.tenant} AND cm.resource_type = r.resource_type AND cm.id = r.id
    AND cm.code = ANY(${codes}::text[]) AND cm.target_type = ${type} AND cm.target_id ${target()})`;
}

/** Resources without a value sort last in either direction: the sentinels make every key non-null. */
function sortExpression(ctx: ConditionContext, resourceType: string, key: SortKey): SortExpression {
  if (key.code === '_id') return { sql: 'r.id', descending: key.descending, sqlType: 'text' };
  if (key.code === '_lastUpdated') return { sql: 'r.last_updated', descending: key.descending, sqlType: 'timestamptz' };
  const param = ctx.registry.get(resourceType, key.code);
  if (!param) throw badRequest(`Unknown sort parameter "${key.code}" for ${resourceType}`, '_sort');
  const scope = (alias: string): string =>
    `${alias}.tenant_id = r.tenant_id AND ${alias}.resource_type = r.resource_type AND ${alias}.id = r.id AND ${alias}.code = ${ctx.params.add(key.code)}`;
  const agg = key.descending ? 'max' : 'min';
  const alias = `o${++ctx.depth}`;
  switch (param.type) {
    case 'string':
    case 'uri': {
      const sentinel = key.descending ? "''" : 'chr(1114111)';
      return { sql: `coalesce((SELECT ${agg}(${alias}.value) FROM sp_${param.type} ${alias} WHERE ${scope(alias)}), ${sentinel})`, descending: key.descending, sqlType: 'text' };
    }
    case 'token':
    case 'reference': {
      // Codes and ids order byte by byte (COLLATE "C"), as string and uri columns do: only there is
      // chr(1114111) sure to sort after every value, whatever the database's default collation.
      const column = param.type === 'token' ? 'value' : 'target_id';
      const sentinel = key.descending ? "''" : 'chr(1114111)';
      return {
        sql: `coalesce((SELECT ${agg}(${alias}.${column} COLLATE "C") FROM sp_${param.type} ${alias} WHERE ${scope(alias)}), ${sentinel})`,
        descending: key.descending,
        sqlType: 'text',
      };
    }
    case 'date': {
      const column = key.descending ? 'high' : 'low';
      const sentinel = key.descending ? "'-infinity'::timestamptz" : "'infinity'::timestamptz";
      return { sql: `coalesce((SELECT ${agg}(${alias}.${column}) FROM sp_date ${alias} WHERE ${scope(alias)}), ${sentinel})`, descending: key.descending, sqlType: 'timestamptz' };
    }
    case 'number':
    case 'quantity': {
      const sentinel = key.descending ? "'-Infinity'::float8" : "'Infinity'::float8";
      return { sql: `coalesce((SELECT ${agg}(${alias}.value) FROM sp_${param.type} ${alias} WHERE ${scope(alias)}), ${sentinel})`, descending: key.descending, sqlType: 'float8' };
    }
    default:
      throw badRequest(`Cannot sort by ${param.type} parameter "${key.code}"`, '_sort');
  }
}

/**
 * Keyset paging: the next page starts strictly after the last row's sort values (and id), so
 * writes between page requests neither repeat nor skip resources already paged past.
 */
export function keysetCondition(params: SqlParams, sort: readonly SortExpression[], cursor: readonly string[]): string {
  const keys = [...sort, { sql: 'r.id', descending: false, sqlType: 'text' as const }];
  if (cursor.length !== keys.length) throw badRequest('The paging cursor does not match this search', '_cursor');
  const values = keys.map((key, i) => `${params.add(cursor[i])}::${key.sqlType}`);
  const alternatives = keys.map((key, i) => {
    const equal = keys.slice(0, i).map((k, j) => `${k.sql} = ${values[j]}`);
    return [...equal, `${key.sql} ${key.descending ? '<' : '>'} ${values[i]}`].join(' AND ');
  });
  return `((${alternatives.join(') OR (')}))`;
}

export function orderBy(sort: readonly SortExpression[]): string {
  return [...sort.map((s) => `${s.sql} ${s.descending ? 'DESC' : 'ASC'}`), 'r.id ASC'].join(', ');
}
