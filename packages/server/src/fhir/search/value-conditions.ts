import {
  badRequest,
  normalizeString,
  parseFhirDateRange,
  parseReference,
  splitPipe,
  unescapeValue,
  type SearchParamDef,
} from '@unichart/fhir';
import { escapeLike, type SqlParams } from './sql-params.js';

/**
 * SQL for one search value against one index table row (alias `s`). Each function answers a
 * boolean SQL expression; the caller ORs the alternatives and wraps them in EXISTS.
 */

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
const PREFIXES = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export function splitPrefix(value: string): [Prefix, string] {
  const head = value.slice(0, 2) as Prefix;
  if (PREFIXES.has(head) && value.length > 2 && !/^[a-z]/i.test(value.slice(2, 3))) return [head, value.slice(2)];
  return ['eq', value];
}

export function stringCondition(p: SqlParams, modifier: string | undefined, raw: string, at: string): string {
  const value = unescapeValue(raw);
  if (modifier === 'exact') return `s.exact = ${p.add(value)}`;
  const normalized = normalizeString(value);
  if (modifier === 'contains') return `s.value LIKE ${p.add(`%${escapeLike(normalized)}%`)}`;
  if (modifier && modifier !== 'text') throw badRequest(`Modifier :${modifier} does not apply to string parameters`, at);
  return `s.value LIKE ${p.add(`${escapeLike(normalized)}%`)}`;
}

export function tokenCondition(p: SqlParams, modifier: string | undefined, raw: string, at: string): string {
  if (modifier === 'text') {
    const text = normalizeString(unescapeValue(raw));
    return `lower(s.display) LIKE ${p.add(`%${escapeLike(text)}%`)}`;
  }
  if (modifier && modifier !== 'not') {
    throw badRequest(`Modifier :${modifier} is not supported on token parameters (use :text, :not or :missing)`, at);
  }
  const [system, code] = splitPipe(raw);
  if (system === undefined) return `s.value = ${p.add(code)}`;
  if (system === '') return `s.system IS NULL AND s.value = ${p.add(code)}`;
  if (code === '') return `s.system = ${p.add(system)}`;
  return `s.system = ${p.add(system)} AND s.value = ${p.add(code)}`;
}

export function uriCondition(p: SqlParams, modifier: string | undefined, raw: string, at: string): string {
  const value = unescapeValue(raw);
  switch (modifier) {
    case undefined:
      return `s.value = ${p.add(value)}`;
    case 'below':
      return `s.value LIKE ${p.add(`${escapeLike(value)}%`)}`;
    case 'above':
      return `${p.add(value)} LIKE replace(replace(s.value, '%', '\\%'), '_', '\\_') || '%'`;
    case 'contains':
      return `s.value LIKE ${p.add(`%${escapeLike(value)}%`)}`;
    default:
      throw badRequest(`Modifier :${modifier} does not apply to uri parameters`, at);
  }
}

/** Dates compare as ranges [low, high): `2020` is the whole year. */
export function dateCondition(p: SqlParams, raw: string, at: string, low = 's.low', high = 's.high'): string {
  const [prefix, text] = splitPrefix(raw);
  const range = parseFhirDateRange(text);
  if (!range) throw badRequest(`"${text}" is not a valid FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)`, at);
  const lo = lazyParam(p, range.low.toISOString());
  const hi = lazyParam(p, range.high.toISOString());
  const eq = (): string => `(${low} >= ${lo()}::timestamptz AND ${high} <= ${hi()}::timestamptz)`;
  switch (prefix) {
    case 'eq':
      return eq();
    case 'ne':
      return `NOT ${eq()}`;
    case 'gt':
      return `${high} > ${hi()}::timestamptz`;
    case 'lt':
      return `${low} < ${lo()}::timestamptz`;
    case 'ge':
      return `(${high} > ${hi()}::timestamptz OR ${eq()})`;
    case 'le':
      return `(${low} < ${lo()}::timestamptz OR ${eq()})`;
    case 'sa':
      return `${low} >= ${hi()}::timestamptz`;
    case 'eb':
      return `${high} <= ${lo()}::timestamptz`;
    case 'ap': {
      // Approximately: within 10% of the distance from now, at least a day either side.
      const margin = Math.max(86_400_000, Math.abs(Date.now() - range.low.getTime()) * 0.1);
      const apLo = p.add(new Date(range.low.getTime() - margin).toISOString());
      const apHi = p.add(new Date(range.high.getTime() + margin).toISOString());
      return `(${low} < ${apHi}::timestamptz AND ${high} > ${apLo}::timestamptz)`;
    }
  }
}

/** A number's written precision is its range: `100` matches [99.5, 100.5). */
export function numberCondition(p: SqlParams, raw: string, at: string, column = 's.value'): string {
  const [prefix, text] = splitPrefix(raw);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw badRequest(`"${text}" is not a number`, at);
  const value = Number(text);
  const decimals = /\.(\d+)/.exec(text.split(/[eE]/)[0]!)?.[1]?.length ?? 0;
  const half = 0.5 * 10 ** -decimals;
  const v = lazyParam(p, text);
  switch (prefix) {
    case 'eq':
      return `(${column} >= ${p.add(value - half)}::numeric AND ${column} < ${p.add(value + half)}::numeric)`;
    case 'ne':
      return `NOT (${column} >= ${p.add(value - half)}::numeric AND ${column} < ${p.add(value + half)}::numeric)`;
    case 'gt':
    case 'sa':
      return `${column} > ${v()}::numeric`;
    case 'lt':
    case 'eb':
      return `${column} < ${v()}::numeric`;
    case 'ge':
      return `${column} >= ${v()}::numeric`;
    case 'le':
      return `${column} <= ${v()}::numeric`;
    case 'ap': {
      const margin = Math.abs(value) * 0.1 || half;
      return `(${column} >= ${p.add(value - margin)}::numeric AND ${column} <= ${p.add(value + margin)}::numeric)`;
    }
  }
}

/** `[prefix]number|system|code`; system and code are optional; code matches UCUM code or unit text. */
export function quantityCondition(p: SqlParams, raw: string, at: string, columns = { value: 's.value', system: 's.system', code: 's.unit_code', unit: 's.unit' }): string {
  const parts = splitAllPipes(raw);
  const [number, system, code] = [parts[0] ?? '', parts[1], parts[2]];
  const conditions = [numberCondition(p, number, at, columns.value)];
  if (system) conditions.push(`${columns.system} = ${p.add(system)}`);
  if (code) {
    const c = p.add(code);
    conditions.push(columns.unit ? `(${columns.code} = ${c} OR ${columns.unit} = ${c})` : `${columns.code} = ${c}`);
  }
  return conditions.join(' AND ');
}

/** A bind parameter added only if the chosen branch uses it (unused ones have no type). */
function lazyParam(p: SqlParams, value: unknown): () => string {
  let placeholder: string | undefined;
  return () => (placeholder ??= p.add(value));
}

export function splitAllPipes(value: string): string[] {
  const parts: string[] = [];
  let rest = value;
  for (;;) {
    const [head, tail] = splitPipe(rest);
    if (head === undefined) {
      parts.push(tail);
      return parts;
    }
    parts.push(head);
    rest = tail.replace(/([\\,|$])/g, '\\$1');
  }
}

/** `Patient/123`, `123`, or an absolute URL; the type modifier (`subject:Patient`) narrows `123`. */
export function referenceCondition(p: SqlParams, param: SearchParamDef, modifier: string | undefined, raw: string, at: string): string {
  const value = unescapeValue(raw);
  if (modifier === 'identifier') {
    const [system, code] = splitPipe(raw);
    if (system === undefined) return `s.ident_value = ${p.add(code)}`;
    return `s.ident_system = ${p.add(system)} AND s.ident_value = ${p.add(code)}`;
  }
  if (modifier && !/^[A-Z]/.test(modifier)) throw badRequest(`Modifier :${modifier} does not apply to reference parameters`, at);
  if (/^https?:\/\//.test(value) || value.startsWith('urn:')) {
    const parsed = parseReference(value);
    const byUrl = `s.url = ${p.add(value.split('|')[0])}`;
    if (parsed.targetType && parsed.targetId) {
      return `(${byUrl} OR (s.target_type = ${p.add(parsed.targetType)} AND s.target_id = ${p.add(parsed.targetId)}))`;
    }
    return byUrl;
  }
  const parsed = parseReference(value);
  if (parsed.targetType && parsed.targetId) {
    if (modifier && modifier !== parsed.targetType) return 'false';
    return `s.target_id = ${p.add(parsed.targetId)} AND s.target_type = ${p.add(parsed.targetType)}`;
  }
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(value)) throw badRequest(`"${value}" is not a reference (Type/id, id or URL)`, at);
  const type = modifier ?? (param.targets.length === 1 ? param.targets[0] : undefined);
  if (type) return `s.target_id = ${p.add(value)} AND s.target_type = ${p.add(type)}`;
  return `s.target_id = ${p.add(value)}`;
}
