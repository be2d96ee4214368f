import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createIdentity } from '../identity/identity.js';
import { newPractice, useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

describe('HTTP protection', () => {
  it('sends secure headers, and no HSTS over plain HTTP', async () => {
    const response = await env.server.request({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers CORS only for registered origins', async () => {
    const app = await buildApp({ db: env.db, identity: env.server.identity, protection: { corsOrigins: ['https://app.example'] } });
    const allowed = await app.inject({ method: 'OPTIONS', url: '/fhir/R4/Patient', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    const refused = await app.inject({ method: 'OPTIONS', url: '/fhir/R4/Patient', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('limits sign-in attempts per address and email, answering 429 with an OperationOutcome', async () => {
    const app = await buildApp({ db: env.db, identity: env.server.identity, protection: { signInsPerMinute: 3 } });
    const attempt = () => app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'nobody@test.unichart', password: 'wrong password here' } });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(JSON.parse(limited.body).issue[0].code).toBe('throttled');
    await app.close();
  });

  it('limits API requests per client', async () => {
    const app = await buildApp({ db: env.db, identity: env.server.identity, protection: { requestsPerMinute: 2 } });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(429);
    await app.close();
  });

  it.skipIf(!hasOpenssl())('serves HTTPS with HSTS when a certificate is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unichart-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const practice = await newPractice(env.db);
    const identity = await createIdentity(env.db);
    await identity.accounts.seedDefaultRoles(practice.id);
    const app = await buildApp({ db: env.db, identity, tls: { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const { request } = await import('node:https');
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject).end();
    });
    expect(headers['strict-transport-security']).toContain('max-age=31536000');
    await app.close();
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
