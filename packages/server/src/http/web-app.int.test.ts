import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import type { Database } from '../db/database.js';
import { createIdentity } from '../identity/identity.js';
import { openTestDatabase } from '../test-support/test-database.js';

let db: Database;
let webRoot: string;
let withWeb: FastifyInstance;
let apiOnly: FastifyInstance;

beforeAll(async () => {
  db = await openTestDatabase();
  webRoot = await mkdtemp(join(tmpdir(), 'unichart-web-'));
  await mkdir(join(webRoot, 'assets'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>Unichart</title><div id="root"></div>');
  await writeFile(join(webRoot, 'assets', 'index-AbC123.js'), 'console.log("app")');
  const identity = await createIdentity(db);
  withWeb = await buildApp({ db, identity, webRoot });
  apiOnly = await buildApp({ db, identity, webRoot: join(webRoot, 'not-built') });
});

afterAll(async () => {
  await withWeb?.close();
  await apiOnly?.close();
  await db?.close();
  await rm(webRoot, { recursive: true, force: true });
});

describe('the web app at /', () => {
  it('serves index.html with a policy that allows only its own scripts, never cached', async () => {
    const page = await withWeb.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<div id="root">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('answers a reload on a client route with the app, keeping query strings', async () => {
    for (const url of ['/app/admin/users', '/app/patients/123?tab=summary', '/settings']) {
      const page = await withWeb.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain('<div id="root">');
    }
  });

  it('caches hashed assets for a year and 404s a missing one', async () => {
    const asset = await withWeb.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await withWeb.inject({ method: 'GET', url: '/assets/index-gone.js' });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).resourceType).toBe('OperationOutcome');
  });

  it('leaves the API its paths: unknown API routes are OperationOutcomes, not the page', async () => {
    for (const url of ['/fhir/R4/NoSuchType', '/admin/nothing-here', '/auth/nothing', '/.well-known/nothing']) {
      const response = await withWeb.inject({ method: 'GET', url });
      expect(response.headers['content-type'], url).toContain('json');
      expect(JSON.parse(response.body).resourceType, url).toBe('OperationOutcome');
    }
    // The authorization server answers its own paths in its own way, never with the page.
    const oauth = await withWeb.inject({ method: 'GET', url: '/oauth2/no-such-endpoint' });
    expect(oauth.statusCode).toBe(404);
    expect(oauth.headers['content-type']).not.toContain('text/html');
    const post = await withWeb.inject({ method: 'POST', url: '/app/admin/users', payload: {} });
    expect(post.statusCode).toBe(404);
    expect((await withWeb.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('runs as an API alone when the web app has not been built', async () => {
    const root = await apiOnly.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(404);
    expect(JSON.parse(root.body).resourceType).toBe('OperationOutcome');
    expect((await apiOnly.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
