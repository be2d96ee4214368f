import {
  badRequest,
  instantText,
  normalizeString,
  parseFhirDateRange,
  parseReference,
  phoneForms,
  phoneticKeys,
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
  return prefixRange(p, 's.value', normalized);
}

/** Any stored word that sounds like any word searched for (see phoneticKeys). */
export function phoneticCondition(p: SqlParams, raw: string): string {
  const keys = phoneticKeys(unescapeValue(raw));
  if (keys.length === 0) return 'false';
  return `s.value = ANY(${p.add(keys)}::text[])`;
}

/**
 * `starts with` as a range on the C-collated column rather than LIKE: under row-level
 * security only leakproof operators may be index conditions, and text comparisons are
 * leakproof while LIKE is not.
 */
export function prefixRange(p: SqlParams, column: string, prefix: string): string {
  if (prefix === '') return 'true';
  return `(${column} >= ${p.add(prefix)} AND ${column} < ${p.add(`${prefix}\u{10FFFF}`)})`;
}

export function tokenCondition(p: SqlParams, modifier: string | undefined, raw: string, at: string): string {
  if (modifier === 'text') {
    // Displays are stored normalised; lower() still serves rows indexed before that was so.
    const text = normalizeString(unescapeValue(raw));
    return `lower(s.display) LIKE ${p.add(`%${escapeLike(text)}%`)}`;
  }
  if (modifier && modifier !== 'not') {
    throw badRequest(`Modifier :${modifier} is not supported on token parameters (use :text, :not or :missing)`, at);
  }
  const [system, code] = splitPipe(raw);
  if (system === undefined) {
    // "(555) 201-7788" finds 555-201-7788: phone numbers are also indexed by their digits.
    const forms = phoneForms(code);
    return forms.length > 1 ? `s.value = ANY(${p.add(forms)}::text[])` : `s.value = ${p.add(code)}`;
  }
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
      return prefixRange(p, 's.value', value);
    case 'above':
      // The stored uri must be a prefix of the searched one: a list of those prefixes is an
      // index lookup, where a LIKE built from the stored column would read every row.
      return `s.value = ANY(${p.add(prefixesOf(value))}::text[])`;
    case 'contains':
      return `s.value LIKE ${p.add(`%${escapeLike(value)}%`)}`;
    default:
      throw badRequest(`Modifier :${modifier} does not apply to uri parameters`, at);
  }
}

/** Every non-empty prefix of a value, longest first (`abc` → abc, ab, a), by code point. */
function prefixesOf(value: string): string[] {
  const chars = [...value];
  return chars.map((_, i) => chars.slice(0, chars.length - i).join(''));
}

/** Dates compare as ranges [low, high): `2020` is the whole year. */
export function dateCondition(p: SqlParams, raw: string, at: string, low = 's.low', high = 's.high'): string {
  const [prefix, text] = splitPrefix(raw);
  const range = parseFhirDateRange(text);
  if (!range) throw badRequest(`"${text}" is not a valid FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)`, at);
  const lo = lazyParam(p, instantText(range.low));
  const hi = lazyParam(p, instantText(range.high));
  // `low < hi` follows from the rest, but it bounds the range scanned on the `low` index: without
  // it the planner may walk the `high` index over every earlier date (a 100,000-patient
  // birthdate= search took 130 ms instead of a few).
  const eq = (): string => `(${low} >= ${lo()}::timestamptz AND ${low} < ${hi()}::timestamptz AND ${high} <= ${hi()}::timestamptz)`;
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
      const apLo = p.add(instantText(new Date(range.low.getTime() - margin)));
      const apHi = p.add(instantText(new Date(range.high.getTime() + margin)));
      return `(${low} < ${apHi}::timestamptz AND ${high} > ${apLo}::timestamptz)`;
    }
  }
}

/**
 * A number's written precision is its range: `100` matches [99.5, 100.5). The bounds are
 * computed by the database in numeric, because binary floats would turn 100.6 - 0.05 into
 * 100.55000000000001 and miss a stored 100.55.
 */
export function numberCondition(p: SqlParams, raw: string, at: string, column = 's.value'): string {
  const [prefix, text] = splitPrefix(raw);
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw badRequest(`"${text}" is not a number`, at);
  // Indexed values are doubles (±1.8e308); an `ap` margin adds 10% on top.
  if (!Number.isFinite(Number(text) * 1.1)) throw badRequest(`${text} is too large to search for`, at);
  const decimals = /\.(\d+)/.exec(text.split(/[eE]/)[0]!)?.[1]?.length ?? 0;
  const v = `${p.add(text)}::numeric`;
  const halfParam = lazyParam(p, `0.5e-${decimals}`);
  const half = (): string => `${halfParam()}::numeric`;
  const withinPrecision = (): string => `(${column} >= ${v} - ${half()} AND ${column} < ${v} + ${half()})`;
  switch (prefix) {
    case 'eq':
      return withinPrecision();
    case 'ne':
      return `NOT ${withinPrecision()}`;
    case 'gt':
    case 'sa':
      return `${column} > ${v}`;
    case 'lt':
    case 'eb':
      return `${column} < ${v}`;
    case 'ge':
      return `${column} >= ${v}`;
    case 'le':
      return `${column} <= ${v}`;
    case 'ap': {
      // Approximately: within 10% of the value (the spec's suggestion), never narrower than its precision.
      const margin = `greatest(abs(${v}) * 0.1, ${half()})`;
      return `(${column} >= ${v} - ${margin} AND ${column} <= ${v} + ${margin})`;
    }
  }
}

/** `[prefix]number|system|code`; system and code are optional; code matches UCUM code or unit text. */
export function quantityCondition(p: SqlParams, raw: string, at: string, columns = { value: 's.value', system: 's.system', code: 's.unit_code', unit: 's.unit' }): string {
  const parts = splitAllPipes(raw);
  if (parts.length > 3) throw badRequest(`"${raw}" is not a quantity ([prefix]number|system|code)`, at);
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

/** Splits on every unescaped `|` (quantity: number|system|code), then unescapes each part. */
export function splitAllPipes(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '|') {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map(unescapeValue);
}

/** `Patient/123`, `123`, or an absolute URL; the type modifier (`subject:Patient`) narrows `123`. */
export function referenceCondition(p: SqlParams, param: SearchParamDef, modifier: string | undefined, raw: string, at: string): string {
  const value = unescapeValue(raw);
  if (modifier === 'identifier') {
    // A token search on the reference's identifier: `system|value`, `|value` and `system|` alike.
    return tokenCondition(p, undefined, raw, at).replace(/\bs\.system\b/g, 's.ident_system').replace(/\bs\.value\b/g, 's.ident_value');
  }
  if (modifier && !/^[A-Z]/.test(modifier)) throw badRequest(`Modifier :${modifier} does not apply to reference parameters`, at);
  if (/^https?:\/\//.test(value) || value.startsWith('urn:')) return `s.url = ${p.add(value.split('|')[0])}`;
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
