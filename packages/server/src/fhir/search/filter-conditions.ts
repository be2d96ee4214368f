import {
  badRequest,
  COLUMN_PARAMS,
  normalizeString,
  PHONETIC_PARAMETER,
  splitValues,
  unescapeValue,
  type SearchFilter,
  type SearchParamDef,
  type SearchParameterRegistry,
} from '@unichart/fhir';
import { escapeLike, type SqlParams } from './sql-params.js';
import {
  dateCondition,
  numberCondition,
  phoneticCondition,
  quantityCondition,
  referenceCondition,
  stringCondition,
  tokenCondition,
  uriCondition,
} from './value-conditions.js';

export interface ConditionContext {
  readonly registry: SearchParameterRegistry;
  readonly params: SqlParams;
  /** Placeholder holding the tenant id (row-level security also applies; this keeps plans on the index). */
  readonly tenant: string;
  /** Unique alias suffixes for nested sub-queries. */
  depth: number;
}

const MAX_CHAIN = 3;

/**
 * One filter (`key=v1,v2`) as a SQL condition on the resource whose type is `resourceType`
 * and whose id is the SQL expression `idExpr`. Chains and `_has` recurse with a new idExpr.
 */
export function filterCondition(ctx: ConditionContext, resourceType: string, idExpr: string, filter: SearchFilter, chainDepth = 0): string {
  const key = filter.key;
  if (key.startsWith('_has:')) return hasCondition(ctx, resourceType, idExpr, filter, chainDepth);
  const dot = key.indexOf('.');
  if (dot > 0) return chainCondition(ctx, resourceType, idExpr, filter, dot, chainDepth);

  const [code, modifier] = splitModifier(key);
  if (code === '_id') return idCondition(ctx, idExpr, filter.values, modifier);
  if (code === '_lastUpdated') {
    if (modifier) throw badRequest(`Modifier :${modifier} does not apply to _lastUpdated`, key);
    return lastUpdatedCondition(ctx, resourceType, idExpr, filter.values);
  }
  const param = ctx.registry.get(resourceType, code);
  if (!param || param.type === 'special') throw badRequest(`Unknown search parameter "${code}" for ${resourceType}`, key);
  if (COLUMN_PARAMS.has(code)) throw badRequest(`Unsupported use of ${code}`, key);

  const table = `sp_${param.type}`;
  const alias = `s${++ctx.depth}`;
  const scope = `${alias}.tenant_id = ${ctx.tenant} AND ${alias}.resource_type = ${ctx.params.add(resourceType)} AND ${alias}.id = ${idExpr} AND ${alias}.code = ${ctx.params.add(code)}`;

  if (modifier === 'missing') {
    const missing = filter.values[0];
    if (missing !== 'true' && missing !== 'false') throw badRequest(`${key} must be true or false`, key);
    const exists = `EXISTS (SELECT 1 FROM ${table} ${alias} WHERE ${scope})`;
    return missing === 'true' ? `NOT ${exists}` : exists;
  }
  const alternatives = filter.values.map((value) => valueCondition(ctx, param, modifier, value, key).replace(/\bs\./g, `${alias}.`));
  const matches = `EXISTS (SELECT 1 FROM ${table} ${alias} WHERE ${scope} AND ((${alternatives.join(') OR (')})))`;
  return modifier === 'not' ? `NOT ${matches}` : matches;
}

function valueCondition(ctx: ConditionContext, param: SearchParamDef, modifier: string | undefined, value: string, at: string): string {
  const p = ctx.params;
  switch (param.type) {
    case 'string':
      if (param.code === PHONETIC_PARAMETER && !modifier) return phoneticCondition(p, value);
      return stringCondition(p, modifier, value, at);
    case 'token':
      return tokenCondition(p, modifier, value, at);
    case 'uri':
      return uriCondition(p, modifier, value, at);
    case 'date':
      noModifier(modifier, param, at);
      return dateCondition(p, value, at);
    case 'number':
      noModifier(modifier, param, at);
      return numberCondition(p, value, at);
    case 'quantity':
      noModifier(modifier, param, at);
      return quantityCondition(p, value, at);
    case 'reference':
      return referenceCondition(p, param, modifier, value, at);
    case 'composite':
      noModifier(modifier, param, at);
      return compositeCondition(ctx, param, value, at);
    default:
      throw badRequest(`Search parameter ${param.code} cannot be searched`, at);
  }
}

function noModifier(modifier: string | undefined, param: SearchParamDef, at: string): void {
  if (modifier) throw badRequest(`Modifier :${modifier} does not apply to ${param.type} parameters`, at);
}

/** `token$value`: the first component is a token, the second whatever the definition says. */
function compositeCondition(ctx: ConditionContext, param: SearchParamDef, raw: string, at: string): string {
  const dollar = raw.search(/(?<!\\)\$/);
  if (dollar < 0) throw badRequest(`${param.code} needs two parts separated by "$"`, at);
  const [first, second] = [raw.slice(0, dollar), raw.slice(dollar + 1)];
  const secondType = param.components?.[1]?.param.type;
  const p = ctx.params;
  const tokenPart = tokenCondition(p, undefined, first, at);
  switch (secondType) {
    case 'quantity':
      return `${tokenPart} AND ${quantityCondition(p, second, at, { value: 's.number', system: 's.second_system', code: 's.second_value', unit: '' })}`;
    case 'token':
      return `${tokenPart} AND ${tokenCondition(p, undefined, second, at).replaceAll('s.system', 's.second_system').replaceAll('s.value', 's.second_value')}`;
    case 'date':
      return `${tokenPart} AND ${dateCondition(p, second, at)}`;
    case 'string':
      // Stored normalised (index-rows), so matched like any string search: a case- and accent-blind prefix.
      return `${tokenPart} AND s.second_value LIKE ${p.add(`${escapeLike(normalizeString(unescapeValue(second)))}%`)}`;
    case 'reference':
      return `${tokenPart} AND s.second_value = ${p.add(unescapeValue(second))}`;
    default:
      throw badRequest(`${param.code} cannot be searched`, at);
  }
}

function idCondition(ctx: ConditionContext, idExpr: string, values: readonly string[], modifier: string | undefined): string {
  const ids = ctx.params.add(values.map(unescapeValue));
  if (modifier === 'not') return `NOT (${idExpr} = ANY(${ids}::text[]))`;
  if (modifier) throw badRequest(`Modifier :${modifier} does not apply to _id`, `_id:${modifier}`);
  return `${idExpr} = ANY(${ids}::text[])`;
}

function lastUpdatedCondition(ctx: ConditionContext, resourceType: string, idExpr: string, values: readonly string[]): string {
  const alias = `lu${++ctx.depth}`;
  // The instant is a range of one millisecond, so the date prefixes apply unchanged.
  const alternatives = values.map((v) => dateCondition(ctx.params, v, '_lastUpdated', `${alias}.last_updated`, `(${alias}.last_updated + interval '1 millisecond')`));
  if (idExpr === 'r.id') return `(${alternatives.map((a) => a.replaceAll(`${alias}.`, 'r.')).join(' OR ')})`;
  return `EXISTS (SELECT 1 FROM resource ${alias} WHERE ${alias}.tenant_id = ${ctx.tenant} AND ${alias}.resource_type = ${ctx.params.add(resourceType)} AND ${alias}.id = ${idExpr} AND (${alternatives.join(' OR ')}))`;
}

/** `subject:Patient.name=peter`: the referenced resource must match the rest of the chain. */
function chainCondition(ctx: ConditionContext, resourceType: string, idExpr: string, filter: SearchFilter, dot: number, chainDepth: number): string {
  if (chainDepth >= MAX_CHAIN) throw badRequest(`Chains may have at most ${MAX_CHAIN} links`, filter.key);
  const head = filter.key.slice(0, dot);
  const rest = filter.key.slice(dot + 1);
  const [code, typeModifier] = splitModifier(head);
  const param = ctx.registry.get(resourceType, code);
  if (!param || param.type !== 'reference') throw badRequest(`"${code}" is not a reference parameter of ${resourceType}, so it cannot be chained`, filter.key);
  const targets = typeModifier ? [typeModifier] : param.targets.length ? param.targets : [];
  const restCode = splitModifier(rest.split('.')[0]!)[0];
  const candidates = targets.filter((t) => restCode.startsWith('_') || ctx.registry.get(t, restCode));
  if (candidates.length === 0) throw badRequest(`None of the types ${code} refers to has a search parameter "${restCode}"`, filter.key);
  const alias = `c${++ctx.depth}`;
  const byType = candidates.map((target) => {
    const inner = filterCondition(ctx, target, `${alias}.target_id`, { key: rest, values: filter.values }, chainDepth + 1);
    return `(${alias}.target_type = ${ctx.params.add(target)} AND ${inner})`;
  });
  return `EXISTS (SELECT 1 FROM sp_reference ${alias} WHERE ${alias}.tenant_id = ${ctx.tenant} AND ${alias}.resource_type = ${ctx.params.add(resourceType)} AND ${alias}.id = ${idExpr} AND ${alias}.code = ${ctx.params.add(code)} AND (${byType.join(' OR ')}))`;
}

/** `_has:Observation:patient:code=1234`: some Observation whose `patient` is this resource has that code. */
function hasCondition(ctx: ConditionContext, resourceType: string, idExpr: string, filter: SearchFilter, chainDepth: number): string {
  if (chainDepth >= MAX_CHAIN) throw badRequest(`_has may nest at most ${MAX_CHAIN} levels`, filter.key);
  const [, sourceType, refCode, ...restParts] = filter.key.split(':');
  const rest = restParts.join(':');
  if (!sourceType || !refCode || !rest) throw badRequest('_has must be _has:Type:reference:parameter', filter.key);
  const ref = ctx.registry.get(sourceType, refCode);
  if (!ref || ref.type !== 'reference') throw badRequest(`"${refCode}" is not a reference parameter of ${sourceType}`, filter.key);
  const alias = `h${++ctx.depth}`;
  const inner = filterCondition(ctx, sourceType, `${alias}.id`, { key: rest, values: filter.values }, chainDepth + 1);
  return `EXISTS (SELECT 1 FROM sp_reference ${alias} WHERE ${alias}.tenant_id = ${ctx.tenant} AND ${alias}.resource_type = ${ctx.params.add(sourceType)} AND ${alias}.code = ${ctx.params.add(refCode)} AND ${alias}.target_type = ${ctx.params.add(resourceType)} AND ${alias}.target_id = ${idExpr} AND ${inner})`;
}

export function splitModifier(key: string): [string, string | undefined] {
  const i = key.indexOf(':');
  return i < 0 ? [key, undefined] : [key.slice(0, i), key.slice(i + 1)];
}

export { splitValues };
