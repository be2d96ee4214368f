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
const MAX_OFFSET = 1_000_000_000;

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
        count = parseNonNegative(key, value, MAX_PAGE_SIZE);
        break;
      case '_offset':
        offset = parseNonNegative(key, value, MAX_OFFSET);
        break;
      case '_sort':
        sort = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((s) => (s.startsWith('-') ? { code: s.slice(1), descending: true } : { code: s, descending: false }));
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

/**
 * The query string of a parsed search, for links: a search POSTed to `_search` carried its
 * parameters in the body, and its `self` and `next` links must repeat them as a GET.
 * Filter values keep their escapes, so joining them restores what the client sent.
 */
export function formatSearchQuery(request: SearchRequest): URLSearchParams {
  const query = new URLSearchParams();
  for (const filter of request.filters) query.append(filter.key, filter.values.join(','));
  if (request.sort.length > 0) query.set('_sort', request.sort.map((key) => `${key.descending ? '-' : ''}${key.code}`).join(','));
  if (request.count !== DEFAULT_PAGE_SIZE) query.set('_count', String(request.count));
  if (request.offset > 0) query.set('_offset', String(request.offset));
  if (request.total !== 'none') query.set('_total', request.total);
  if (request.summary) query.set('_summary', request.summary);
  if (request.elements?.length) query.set('_elements', request.elements.join(','));
  for (const [name, targets] of [['_include', request.include], ['_revinclude', request.revinclude]] as const) {
    for (const target of targets) {
      query.append(target.iterate ? `${name}:iterate` : name, [target.sourceType, target.code, target.targetType].filter(Boolean).join(':'));
    }
  }
  if (request.cursor) query.set('_cursor', request.cursor);
  return query;
}

function parseInclude(key: string, value: string, modifier: string | undefined): IncludeTarget {
  if (modifier && modifier !== 'iterate' && modifier !== 'recurse') throw badRequest(`Unknown modifier ${modifier} on ${key}`, key);
  const [sourceType, code, targetType] = value.split(':');
  if (!sourceType || !code) throw badRequest(`${key} must be Type:parameter[:TargetType], got "${value}"`, key);
  return { sourceType, code, targetType, iterate: Boolean(modifier) };
}

/**
 * Digits only: Number() would also take "", "0x10" and "1e3", none of which a client means.
 * Capped, so that a huge value neither overflows SQL's bigint nor asks for everything at once.
 */
function parseNonNegative(key: string, value: string, max: number): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw badRequest(`${key} must be a whole number, got "${value}"`, key);
  return Math.min(Number(text), max);
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
