import { formatSearchQuery, shapeResource, type SearchRequest } from '@unichart/fhir';
import type { StoredVersion } from './repository.js';
import type { SearchResult, StoredMatch } from './search/execute-search.js';

/**
 * Search and history Bundles are written as JSON text around the stored resources, so a page
 * of results is never parsed and re-serialised unless _summary or _elements asks for it.
 */
export function searchBundle(baseUrl: string, requestUrl: string, request: SearchRequest, result: SearchResult): string {
  const selfUrl = searchUrl(baseUrl, requestUrl, request);
  const links = [`{"relation":"self","url":${JSON.stringify(selfUrl)}}`];
  if (result.next) links.push(`{"relation":"next","url":${JSON.stringify(withCursor(selfUrl, result.next))}}`);
  const entries = [
    ...result.matches.map((m) => entry(baseUrl, m, 'match', request)),
    ...result.included.map((m) => entry(baseUrl, m, 'include', request)),
  ];
  const total = result.total === undefined ? '' : `,"total":${result.total}`;
  return `{"resourceType":"Bundle","type":"searchset"${total},"link":[${links.join(',')}]${entryArray(entries)}}`;
}

function entry(baseUrl: string, match: StoredMatch, mode: 'match' | 'include', request: SearchRequest): string {
  const content = mode === 'match' ? shapedText(match.content, request) : match.content;
  return `{"fullUrl":${JSON.stringify(`${baseUrl}/${match.resourceType}/${match.id}`)},"resource":${content},"search":{"mode":"${mode}"}}`;
}

function shapedText(content: string, request: SearchRequest): string {
  if ((!request.summary || request.summary === 'false') && !request.elements?.length) return content;
  return JSON.stringify(shapeResource(JSON.parse(content), request.summary, request.elements));
}

/** A search POSTed to `Type/_search` had its parameters in the body: its links are the equivalent GET. */
function searchUrl(baseUrl: string, requestUrl: string, request: SearchRequest): string {
  if (!new URL(requestUrl).pathname.endsWith('/_search')) return requestUrl;
  return `${baseUrl}/${request.resourceType}?${formatSearchQuery(request).toString()}`;
}

function withCursor(selfUrl: string, cursor: string): string {
  const url = new URL(selfUrl);
  url.searchParams.delete('_offset');
  url.searchParams.set('_cursor', cursor);
  return url.toString();
}

export function historyBundle(baseUrl: string, selfUrl: string, versions: readonly StoredVersion[]): string {
  const entries = versions.map((v) => {
    const url = `${v.resourceType}/${v.id}`;
    const method = v.deleted ? 'DELETE' : v.versionId === 1 ? 'POST' : 'PUT';
    const status = v.deleted ? '204' : v.versionId === 1 ? '201' : '200';
    const resource = v.content ? `,"resource":${v.content}` : '';
    return `{"fullUrl":${JSON.stringify(`${baseUrl}/${url}`)}${resource},"request":{"method":"${method}","url":"${method === 'POST' ? v.resourceType : url}"},"response":{"status":"${status}","etag":"W/\\"${v.versionId}\\"","lastModified":"${v.lastUpdated}"}}`;
  });
  return `{"resourceType":"Bundle","type":"history","total":${versions.length},"link":[{"relation":"self","url":${JSON.stringify(selfUrl)}}]${entryArray(entries)}}`;
}

/** FHIR JSON has no empty arrays: an empty page has no `entry` at all. */
function entryArray(entries: readonly string[]): string {
  return entries.length ? `,"entry":[${entries.join(',')}]` : '';
}
