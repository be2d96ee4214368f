import { instantText, parseFhirDateRange } from './fhir-date.js';
import { normalizeString } from './normalize.js';
import { COLUMN_PARAMS, type SearchParamDef, type SearchParameterRegistry } from './search-parameters.js';
import { phoneForms } from './phone-numbers.js';
import { PHONETIC_PARAMETER, phoneticKeys } from './phonetic.js';

export interface StringRow { code: string; value: string; exact: string }
export interface TokenRow { code: string; system: string | null; value: string | null; display: string | null }
export interface DateRow { code: string; low: string; high: string }
export interface ReferenceRow { code: string; targetType: string | null; targetId: string | null; url: string | null; identSystem: string | null; identValue: string | null }
export interface NumberRow { code: string; value: number }
export interface QuantityRow { code: string; value: number; system: string | null; unit: string | null; unitCode: string | null }
export interface UriRow { code: string; value: string }
/** A composite pair: the first component is always a token, the second any type. */
export interface CompositeRow {
  code: string;
  system: string | null;
  value: string | null;
  number: number | null;
  secondSystem: string | null;
  secondValue: string | null;
  low: string | null;
  high: string | null;
}

export interface IndexRows {
  string: StringRow[];
  token: TokenRow[];
  date: DateRow[];
  reference: ReferenceRow[];
  number: NumberRow[];
  quantity: QuantityRow[];
  uri: UriRow[];
  composite: CompositeRow[];
}

export type IndexTable = keyof IndexRows;
export const INDEX_TABLES: readonly IndexTable[] = ['string', 'token', 'date', 'reference', 'number', 'quantity', 'uri', 'composite'];

type Json = Record<string, unknown>;

/** Everything a resource contributes to the search index, computed once at write time. */
export function extractIndexRows(resource: Json, registry: SearchParameterRegistry, onlyCodes?: ReadonlySet<string>): IndexRows {
  const rows: IndexRows = { string: [], token: [], date: [], reference: [], number: [], quantity: [], uri: [], composite: [] };
  for (const param of registry.forType(resource.resourceType as string).values()) {
    if (COLUMN_PARAMS.has(param.code) || param.type === 'special') continue;
    if (onlyCodes && !onlyCodes.has(param.code)) continue;
    const values = param.extract(resource);
    if (param.type === 'composite') addComposite(rows, param, values);
    else for (const value of values) addValue(rows, param, value);
  }
  dedupe(rows);
  return rows;
}

function addValue(rows: IndexRows, param: SearchParamDef, value: unknown): void {
  const code = param.code;
  switch (param.type) {
    case 'string':
      if (code === PHONETIC_PARAMETER) {
        for (const s of stringsOf(value)) for (const key of phoneticKeys(s)) rows.string.push({ code, value: key, exact: s.slice(0, 2000) });
        break;
      }
      for (const s of stringsOf(value)) rows.string.push({ code, value: normalizeString(s).slice(0, 2000), exact: s.slice(0, 2000) });
      break;
    case 'token':
      // The display is only searched by :text, which matches like a string: case- and accent-blind.
      for (const t of tokensOf(value)) rows.token.push({ code, ...t, display: t.display === null ? null : normalizeString(t.display).slice(0, 2000) });
      break;
    case 'date': {
      const range = dateRangeOf(value);
      if (range) rows.date.push({ code, ...range });
      break;
    }
    case 'reference': {
      const ref = referenceOf(value);
      if (ref) rows.reference.push({ code, ...ref });
      break;
    }
    case 'number':
      if (typeof value === 'number') rows.number.push({ code, value });
      else if (isObject(value) && typeof value.value === 'number') rows.number.push({ code, value: value.value });
      break;
    case 'quantity':
      for (const q of quantitiesOf(value)) rows.quantity.push({ code, ...q });
      break;
    case 'uri':
      if (typeof value === 'string') rows.uri.push({ code, value });
      break;
    default:
      break;
  }
}

function addComposite(rows: IndexRows, param: SearchParamDef, bases: unknown[]): void {
  const [first, second] = param.components ?? [];
  if (!first || !second || first.param.type !== 'token') return;
  for (const base of bases) {
    const tokens = first.extract(base).flatMap(tokensOf);
    const seconds = second.extract(base);
    for (const token of tokens) {
      for (const value of seconds) {
        const row: CompositeRow = { code: param.code, system: token.system, value: token.value, number: null, secondSystem: null, secondValue: null, low: null, high: null };
        switch (second.param.type) {
          case 'quantity':
            for (const q of quantitiesOf(value)) rows.composite.push({ ...row, number: q.value, secondSystem: q.system, secondValue: q.unitCode ?? q.unit });
            break;
          case 'token':
            for (const t of tokensOf(value)) rows.composite.push({ ...row, secondSystem: t.system, secondValue: t.value });
            break;
          case 'date': {
            const range = dateRangeOf(value);
            if (range) rows.composite.push({ ...row, ...range });
            break;
          }
          case 'string':
            for (const s of stringsOf(value)) rows.composite.push({ ...row, secondValue: normalizeString(s) });
            break;
          case 'reference': {
            const ref = referenceOf(value);
            if (ref?.targetId) rows.composite.push({ ...row, secondValue: `${ref.targetType}/${ref.targetId}` });
            break;
          }
          default:
            break;
        }
      }
    }
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object';
}

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];
const OTHER_PARTS = ['text', 'value', 'display'];

/** The searchable strings of a value: a HumanName or Address by its parts, else its text. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!isObject(value)) return [];
  // Recognised by any part but `text`, which both share: an Address of only a country is still an Address.
  const has = (part: string): boolean => part !== 'text' && part in value;
  const parts = NAME_PARTS.some(has) ? NAME_PARTS : ADDRESS_PARTS.some(has) ? ADDRESS_PARTS : OTHER_PARTS;
  const out: string[] = [];
  for (const part of parts) {
    const v = value[part];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') out.push(s);
  }
  if (value.text === undefined && (value.family !== undefined || value.given !== undefined)) {
    // A search for "John Smith" should find the name whose parts are John and Smith.
    const full = [...arr(value.given), ...arr(value.family)].join(' ');
    if (full) out.push(full);
  }
  return out;
}

function arr(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

type Token = Omit<TokenRow, 'code'>;

export function tokensOf(value: unknown): Token[] {
  if (typeof value === 'string') return [{ system: null, value, display: null }];
  if (typeof value === 'boolean' || typeof value === 'number') return [{ system: null, value: String(value), display: null }];
  if (!isObject(value)) return [];
  if (Array.isArray(value.coding) || typeof value.text === 'string' && !('value' in value)) {
    const codings = (Array.isArray(value.coding) ? value.coding : []) as Json[];
    const text = typeof value.text === 'string' ? value.text : null;
    const out: Token[] = codings.map((c) => ({ system: str(c.system), value: str(c.code), display: str(c.display) ?? text }));
    if (text) out.push({ system: null, value: null, display: text });
    return out;
  }
  if ('code' in value && !('value' in value)) return [{ system: str(value.system), value: str(value.code), display: str(value.display) }];
  if ('value' in value && typeof value.value === 'string') {
    // Identifier: system|value; ContactPoint: its system is a kind (phone, email), not a namespace.
    const isContactPoint = typeof value.system === 'string' && CONTACT_POINT_SYSTEMS.has(value.system);
    const typeText = isObject(value.type) ? str(value.type.text) : null;
    const token = { system: isContactPoint ? null : str(value.system), value: value.value, display: typeText };
    if (!isContactPoint || !TELEPHONE_SYSTEMS.has(value.system as string)) return [token];
    // A number is found however it was typed when stored or searched (see phone-numbers.ts).
    return phoneForms(value.value).map((form) => ({ ...token, value: form }));
  }
  if ('value' in value && 'code' in value) return [{ system: str(value.system), value: str(value.code), display: null }];
  return [];
}

/** R4 ContactPoint.system (required binding): an Identifier.system is a URI, never one of these. */
const CONTACT_POINT_SYSTEMS = new Set(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']);
const TELEPHONE_SYSTEMS = new Set(['phone', 'fax', 'pager', 'sms']);

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

const MIN_DATE = '-infinity';
const MAX_DATE = 'infinity';

function dateRangeOf(value: unknown): { low: string; high: string } | undefined {
  if (typeof value === 'string') {
    const range = parseFhirDateRange(value);
    return range && { low: instantText(range.low), high: instantText(range.high) };
  }
  if (!isObject(value)) return undefined;
  if ('start' in value || 'end' in value) {
    const start = typeof value.start === 'string' ? parseFhirDateRange(value.start) : undefined;
    const end = typeof value.end === 'string' ? parseFhirDateRange(value.end) : undefined;
    if (!start && !end) return undefined;
    return { low: start ? instantText(start.low) : MIN_DATE, high: end ? instantText(end.high) : MAX_DATE };
  }
  if (Array.isArray(value.event) && value.event.length > 0) {
    const ranges = value.event.map((e) => (typeof e === 'string' ? parseFhirDateRange(e) : undefined)).filter((r) => r !== undefined);
    if (ranges.length === 0) return undefined;
    const low = Math.min(...ranges.map((r) => r.low.getTime()));
    const high = Math.max(...ranges.map((r) => r.high.getTime()));
    return { low: instantText(new Date(low)), high: instantText(new Date(high)) };
  }
  if (isObject(value.repeat) && isObject(value.repeat.boundsPeriod)) return dateRangeOf(value.repeat.boundsPeriod);
  return undefined;
}

type Reference = Omit<ReferenceRow, 'code'>;

const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]+)?$/;
/**
 * Splits a relative reference into type and id. An absolute URL points at another server (or
 * at ours under a name we cannot know here), so it keeps only its text for `url=` matching:
 * `https://other.example/fhir/Patient/9` must never be taken for our Patient/9.
 */
export function parseReference(reference: string): { targetType: string | null; targetId: string | null; url: string | null } {
  const relative = RELATIVE_REFERENCE.exec(reference);
  if (relative) return { targetType: relative[1]!, targetId: relative[2]!, url: null };
  return { targetType: null, targetId: null, url: reference.split('|')[0]! };
}

function referenceOf(value: unknown): Reference | undefined {
  if (typeof value === 'string') return { ...parseReference(value), identSystem: null, identValue: null };
  if (!isObject(value)) return undefined;
  const identifier = isObject(value.identifier) ? value.identifier : undefined;
  const ident = { identSystem: str(identifier?.system), identValue: str(identifier?.value) };
  if (typeof value.reference === 'string') {
    if (value.reference.startsWith('#')) return undefined;
    return { ...parseReference(value.reference), ...ident };
  }
  if (ident.identValue) return { targetType: str(value.type), targetId: null, url: null, ...ident };
  return undefined;
}

const CURRENCY_SYSTEM = 'urn:iso:std:iso:4217';

function quantitiesOf(value: unknown): Omit<QuantityRow, 'code'>[] {
  if (typeof value === 'number') return [{ value, system: null, unit: null, unitCode: null }];
  if (!isObject(value)) return [];
  if (typeof value.value === 'number') {
    // Money: its currency is an ISO 4217 code, so `12.5|urn:iso:std:iso:4217|USD` finds it.
    const currency = str(value.currency);
    if (currency) return [{ value: value.value, system: CURRENCY_SYSTEM, unit: currency, unitCode: currency }];
    return [{ value: value.value, system: str(value.system), unit: str(value.unit), unitCode: str(value.code) }];
  }
  // Range: index both ends so that `gt`/`lt` searches see the whole span.
  return [...quantitiesOf(value.low), ...quantitiesOf(value.high)];
}

function dedupe(rows: IndexRows): void {
  for (const table of INDEX_TABLES) {
    const seen = new Set<string>();
    (rows[table] as unknown[]) = (rows[table] as unknown[]).filter((row) => {
      const key = JSON.stringify(row);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
}
