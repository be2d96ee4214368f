import { badRequest } from './outcome.js';

/** One `key=value` of a search; the values are alternatives (comma = OR). */
export interface SearchFilter {
  readonly key: string;
  readonly values: readonly string[];
}

export interface SortKey {
  readonly code: string;
  readonly descending: boolean;
}

export interface IncludeTarget {
  readonly sourceType: string;
  readonly code: string;
  readonly targetType?: string;
  readonly iterate: boolean;
}

export type SummaryMode = 'true' | 'false' | 'text' | 'data' | 'count';
export type TotalMode = 'none' | 'estimate' | 'accurate';

/** A parsed FHIR search: what to match, and how to shape the page that answers it. */
export interface SearchRequest {
  readonly resourceType: string;
  /** All must hold (AND). */
  readonly filters: readonly SearchFilter[];
  readonly count: number;
  readonly offset: number;
  readonly sort: readonly SortKey[];
  readonly total: TotalMode;
  readonly summary?: SummaryMode;
  readonly elements?: readonly string[];
  readonly include: readonly IncludeTarget[];
  readonly revinclude: readonly IncludeTarget[];
  /** Opaque keyset cursor from a `next` link. */
  readonly cursor?: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_format', '_pretty', '_contained', '_containedType', '_cursor']);

/** Parses query parameters (repeated keys allowed) into a SearchRequest. */
export function parseSearchRequest(resourceType: string, query: Iterable<[string, string]>): SearchRequest {
  const filters: SearchFilter[] = [];
  let count = DEFAULT_PAGE_SIZE;
  let offset = 0;
  let sort: SortKey[] = [];
  let total: TotalMode = 'none';
  let summary: SummaryMode | undefined;
  let elements: string[] | undefined;
  const include: IncludeTarget[] = [];
  const revinclude: IncludeTarget[] = [];
  let cursor: string | undefined;

  for (const [rawKey, value] of query) {
    const key = rawKey.trim();
    const [base, modifier] = splitOnce(key, ':');
    if (!RESULT_PARAMS.has(base)) {
      if (!key) continue;
      filters.push({ key, values: splitValues(value) });
      continue;
    }
    switch (base) {
      case '_count':
        count = parseNonNegative(key, value);
        count = Math.min(count, MAX_PAGE_SIZE);
        break;
      case '_offset':
        offset = parseNonNegative(key, value);
        break;
      case '_sort':
        sort = value.split(',').filter(Boolean).map((s) => (s.startsWith('-') ? { code: s.slice(1), descending: true } : { code: s, descending: false }));
        break;
      case '_total':
        if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw badRequest(`_total must be none, estimate or accurate`, '_total');
        total = value;
        break;
      case '_summary':
        if (!['true', 'false', 'text', 'data', 'count'].includes(value)) throw badRequest('_summary must be true, false, text, data or count', '_summary');
        summary = value as SummaryMode;
        break;
      case '_cursor':
        cursor = value;
        break;
      case '_elements':
        elements = value.split(',').map((e) => e.trim()).filter(Boolean);
        break;
      case '_include':
      case '_revinclude':
        (base === '_include' ? include : revinclude).push(parseInclude(key, value, modifier));
        break;
      default:
        break;
    }
  }
  return { resourceType, filters, count, offset, sort, total, summary, elements, include, revinclude, cursor };
}

function parseInclude(key: string, value: string, modifier: string | undefined): IncludeTarget {
  if (modifier && modifier !== 'iterate' && modifier !== 'recurse') throw badRequest(`Unknown modifier ${modifier} on ${key}`, key);
  const [sourceType, code, targetType] = value.split(':');
  if (!sourceType || !code) throw badRequest(`${key} must be Type:parameter[:TargetType], got "${value}"`, key);
  return { sourceType, code, targetType, iterate: Boolean(modifier) };
}

function parseNonNegative(key: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${key} must be a whole number, got "${value}"`, key);
  return n;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Splits on unescaped commas and removes the escapes (`\,` `\|` `\$` `\\`) FHIR defines. */
export function splitValues(value: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[++i];
    } else if (c === ',') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Splits a token-like value on its first unescaped `|`, unescaping both parts. */
export function splitPipe(value: string): [string | undefined, string] {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '|') return [unescapeValue(value.slice(0, i)), unescapeValue(value.slice(i + 1))];
  }
  return [undefined, unescapeValue(value)];
}

export function unescapeValue(value: string): string {
  return value.replace(/\\([\\,|$])/g, '$1');
}
