import { afterAll, beforeAll, expect } from 'vitest';
import type { Database } from '../../db/database.js';
import { startTestServer, TEST_BASE, type TestServer } from '../../test-support/test-database.js';

/**
 * Helpers shared by the search integration tests: seed resources under readable ids, run a
 * search written as it reads in the spec (`Patient?birthdate=ge1980`), and answer the ids of
 * what matched, so each test can state exactly which resources come back.
 */

export interface SearchEntry {
  fullUrl: string;
  resource: { resourceType: string; id: string; [key: string]: any };
  search: { mode: 'match' | 'include' };
}

export interface SearchBundle {
  resourceType: 'Bundle';
  type: string;
  total?: number;
  link: { relation: string; url: string }[];
  entry?: SearchEntry[];
}

type SeedResource = { resourceType: string; id: string; [key: string]: unknown };

/**
 * A practice of its own for one `describe`, holding exactly the resources given: what one
 * group of tests stores can never show up in another group's results.
 */
export function practiceWith(database: () => Database, resources: readonly SeedResource[]): { readonly server: TestServer } {
  const practice = {} as { server: TestServer };
  beforeAll(async () => {
    practice.server = await startTestServer(database());
    await seed(practice.server, resources);
  });
  afterAll(async () => {
    await practice.server.app.close();
  });
  return practice;
}

/** Stores resources under the ids they carry (update as create), so tests can name them. */
export async function seed(server: TestServer, resources: readonly SeedResource[]): Promise<void> {
  for (const resource of resources) {
    const response = await server.fhir('PUT', `${resource.resourceType}/${resource.id}`, resource);
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`Seeding ${resource.resourceType}/${resource.id} failed with ${response.status}: ${JSON.stringify(response.body)}`);
    }
  }
}

/**
 * Encodes each value of a readable query (`name=Müller&date=ge2020-01-01T10:00:00+02:00`) as a
 * client must: `+`, `|`, `$` and `\` travel percent-encoded. Keys and values are split at the
 * first `=`; no test value contains `&`.
 */
export function encodeQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .map((pair) => {
      const i = pair.indexOf('=');
      const key = i < 0 ? pair : pair.slice(0, i);
      const value = i < 0 ? '' : pair.slice(i + 1);
      return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
    })
    .join('&');
}

/** `Type?query` as a path below the FHIR base, values encoded. */
export function searchPath(search: string): string {
  const q = search.indexOf('?');
  return q < 0 ? search : `${search.slice(0, q)}?${encodeQuery(search.slice(q + 1))}`;
}

/** Runs a search that must succeed and answers the searchset Bundle. */
export async function searchBundle(server: TestServer, search: string): Promise<SearchBundle> {
  return bundleAt(server, searchPath(search));
}

/** Follows a link the server wrote (already encoded) and answers the Bundle there. */
export async function bundleAt(server: TestServer, path: string): Promise<SearchBundle> {
  const response = await server.fhir('GET', path);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
  expect(response.body.resourceType).toBe('Bundle');
  expect(response.body.type).toBe('searchset');
  return response.body as SearchBundle;
}

/** Sorted ids of the entries that matched (not the included ones). */
export async function matchIds(server: TestServer, search: string): Promise<string[]> {
  return idsOf(await searchBundle(server, search), 'match').sort();
}

/** Ids in the order the server answered them. */
export function idsOf(bundle: SearchBundle, mode: 'match' | 'include' = 'match'): string[] {
  return (bundle.entry ?? []).filter((e) => e.search.mode === mode).map((e) => e.resource.id);
}

/** `Type/id` of the included entries, sorted. */
export function includedRefs(bundle: SearchBundle): string[] {
  return (bundle.entry ?? []).filter((e) => e.search.mode === 'include').map((e) => `${e.resource.resourceType}/${e.resource.id}`).sort();
}

export function nextLink(bundle: SearchBundle): string | undefined {
  return bundle.link.find((l) => l.relation === 'next')?.url;
}

/** A link the server wrote, as a path below the FHIR base for the test client. */
export function pathOf(url: string): string {
  expect(url.startsWith(`${TEST_BASE}/`)).toBe(true);
  return url.slice(TEST_BASE.length + 1);
}

/** The search must be refused as the client's mistake: 400 with an OperationOutcome, never 500. */
export async function expectBadRequest(server: TestServer, search: string, path = searchPath(search)): Promise<string> {
  const response = await server.fhir('GET', path);
  expect(response.status, `${search} → ${JSON.stringify(response.body)}`).toBe(400);
  expect(response.body.resourceType).toBe('OperationOutcome');
  expect(response.body.issue[0].severity).toBe('error');
  return response.body.issue[0].diagnostics as string;
}
