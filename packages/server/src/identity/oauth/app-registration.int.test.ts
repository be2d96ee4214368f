import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../../test-support/test-database.js';
import { REDIRECT, seedTwoPatients, smartHelpers } from '../../test-support/smart-helpers.js';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** Discovery, app registration by an administrator, and backend services with signed JWTs. */
describe('SMART discovery, app registration and backend services', () => {
  const context = useTestServer({ listen: true });
  const { issuer, admin, registerApp, token, fhirWith } = smartHelpers(context);
  let aliceObservation: string;
  let bobObservation: string;

  beforeAll(async () => {
    ({ aliceObservation, bobObservation } = await seedTwoPatients(context.server));
  });

  describe('discovery', () => {
    it('advertises SMART App Launch 2 at /.well-known/smart-configuration, beside the FHIR base too', async () => {
      for (const url of ['/.well-known/smart-configuration', '/fhir/R4/.well-known/smart-configuration']) {
        const response = await context.server.request({ method: 'GET', url });
        expect(response.statusCode).toBe(200);
        const configuration = response.json();
        expect(configuration.authorization_endpoint).toBe(`${issuer()}/auth`);
        expect(configuration.token_endpoint).toBe(`${issuer()}/token`);
        expect(configuration.code_challenge_methods_supported).toEqual(['S256']);
        expect(configuration.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
        expect(configuration.capabilities).toEqual(expect.arrayContaining([
          'launch-ehr', 'launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric',
          'context-ehr-patient', 'context-standalone-patient', 'permission-patient', 'permission-user', 'permission-v1', 'permission-v2', 'sso-openid-connect',
        ]));
        expect(configuration.scopes_supported).toEqual(expect.arrayContaining(['launch/patient', 'patient/*.rs', 'system/*.read']));
      }
    });

    it('the CapabilityStatement carries the SMART oauth-uris extension', async () => {
      const metadata = await context.server.request({ method: 'GET', url: '/fhir/R4/metadata' });
      const security = metadata.json().rest[0].security;
      expect(security.service[0].coding[0].code).toBe('SMART-on-FHIR');
      const uris = security.extension.find((e: { url: string }) => e.url.endsWith('/oauth-uris')).extension;
      expect(uris).toEqual(expect.arrayContaining([{ url: 'authorize', valueUri: `${issuer()}/auth` }, { url: 'token', valueUri: `${issuer()}/token` }]));
    });

    it('the OpenID Connect discovery document is served under /oauth2', async () => {
      const response = await fetch(`${issuer()}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      expect((await response.json()).issuer).toBe(issuer());
    });
  });

  describe('registration by an administrator', () => {
    it('only administrators register, list and disable apps', async () => {
      const nurse = await context.server.signInAs('nurse');
      expect((await admin('GET', '/admin/apps', undefined, nurse.token)).statusCode).toBe(403);
      expect((await admin('POST', '/admin/apps', { name: 'x', kind: 'public', redirectUris: [REDIRECT], scopes: 'patient/*.rs' }, nurse.token)).statusCode).toBe(403);
      expect((await context.server.request({ method: 'GET', url: '/admin/apps' })).statusCode).toBe(401);
    });

    it.each([
      [{ name: 'No redirect', kind: 'public', scopes: 'patient/*.rs' }, 'redirect'],
      [{ name: 'Bad scope', kind: 'public', redirectUris: [REDIRECT], scopes: 'patient/*.everything' }, 'Unknown scopes'],
      [{ name: 'System for people', kind: 'public', redirectUris: [REDIRECT], scopes: 'system/*.read' }, 'system/'],
      [{ name: 'Keyless backend', kind: 'backend', scopes: 'system/*.read' }, 'jwks'],
      [{ name: 'Private key', kind: 'backend', scopes: 'system/*.read', jwks: { keys: [{ kty: 'EC', d: 'secret' }] } }, 'public keys'],
      [{ name: 'Wrong kind', kind: 'robot', redirectUris: [REDIRECT], scopes: 'patient/*.rs' }, 'kind'],
    ])('refuses %j', async (body, message) => {
      const response = await admin('POST', '/admin/apps', body);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(message);
    });

    it('a confidential app gets its secret once; the list never shows it', async () => {
      const app = await registerApp({ name: 'Billing portal', kind: 'confidential', redirectUris: [REDIRECT], scopes: 'user/*.rs' });
      expect(app.clientSecret).toMatch(/^[\w-]{40,}$/);
      const list = await admin('GET', '/admin/apps');
      expect(list.json().find((a: { clientId: string }) => a.clientId === app.clientId)).toMatchObject({ name: 'Billing portal', kind: 'confidential', authMethod: 'client_secret_basic', status: 'active' });
      expect(list.body).not.toContain(app.clientSecret);
    });

    it('registering and disabling go on the audit trail; a disabled app stays listed as disabled', async () => {
      const app = await registerApp({ name: 'Audited viewer', kind: 'public', redirectUris: [REDIRECT], scopes: 'launch/patient patient/*.rs' });
      expect((await admin('POST', `/admin/apps/${app.clientId}/disable`)).statusCode).toBe(204);
      expect((await admin('POST', '/admin/apps/not-an-app/disable')).statusCode).toBe(404);
      const listed = (await admin('GET', '/admin/apps')).json().find((a: { clientId: string }) => a.clientId === app.clientId);
      expect(listed.status).toBe('disabled');
      const trail = await context.db.query<{ type: string; content: string }>(
        context.server.practice.id,
        "SELECT type, content FROM audit_event WHERE tenant_id = $1 AND type IN ('app-register', 'app-disable') ORDER BY seq",
        [context.server.practice.id],
      );
      const mine = trail.filter((row) => row.content.includes(app.clientId));
      expect(mine.map((row) => row.type)).toEqual(['app-register', 'app-disable']);
      expect(JSON.parse(mine[0]!.content).outcomeDesc).toContain('Audited viewer');
    });
  });

  describe('backend services (client credentials with a signed JWT)', () => {
    const assertion = (clientId: string, key: CryptoKey, alg: string, kid: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg, kid, typ: 'JWT' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(`${issuer()}/token`)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    const clientCredentials = async (clientId: string, signed: string, scope: string) =>
      token({
        grant_type: 'client_credentials',
        scope,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: signed,
      });

    it.each(['RS384', 'ES384'])('reads with system scope, signed %s; nothing more than the scope', async (alg) => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const kid = `key-${alg}`;
      const app = await registerApp({ name: `Population export ${alg}`, kind: 'backend', scopes: 'system/Observation.rs system/Patient.rs', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid, alg }] } });

      const response = await clientCredentials(app.clientId, await assertion(app.clientId, privateKey, alg, kid), 'system/Observation.rs');
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.token_type).toBe('Bearer');
      expect(response.body.scope).toBe('system/Observation.rs');
      const accessToken = response.body.access_token!;
      const search = await fhirWith(accessToken, 'GET', 'Observation');
      expect(search.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual([aliceObservation, bobObservation].sort());
      // Patient was allowed the app but not asked for in this token; writing was never allowed.
      expect((await fhirWith(accessToken, 'GET', 'Patient')).status).toBe(403);
      expect((await fhirWith(accessToken, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' } })).status).toBe(403);
      expect((await fhirWith(accessToken, 'GET', 'AuditEvent')).status).toBe(403);
    });

    it('asking for more than the registration allows gets nothing more', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS384');
      const app = await registerApp({ name: 'Narrow export', kind: 'backend', scopes: 'system/Patient.rs', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS384' }] } });
      const response = await clientCredentials(app.clientId, await assertion(app.clientId, privateKey, 'RS384', 'k1'), 'system/*.cruds');
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_scope');
      // Part of it allowed: only that part is granted.
      const partly = await clientCredentials(app.clientId, await assertion(app.clientId, privateKey, 'RS384', 'k1'), 'system/Patient.rs system/Observation.rs');
      expect(partly.body.scope).toBe('system/Patient.rs');
      expect((await fhirWith(partly.body.access_token!, 'GET', 'Observation')).status).toBe(403);
      expect((await fhirWith(partly.body.access_token!, 'GET', 'Patient')).status).toBe(200);
    });

    it('a JWT signed with a key that was not registered is refused', async () => {
      const registered = await generateKeyPair('RS384');
      const stranger = await generateKeyPair('RS384');
      const app = await registerApp({ name: 'Guarded export', kind: 'backend', scopes: 'system/*.rs', jwks: { keys: [{ ...(await exportJWK(registered.publicKey)), kid: 'k1', alg: 'RS384' }] } });
      const response = await clientCredentials(app.clientId, await assertion(app.clientId, stranger.privateKey, 'RS384', 'k1'), 'system/*.rs');
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
      const unknownApp = await clientCredentials(randomUUID(), await assertion(randomUUID(), registered.privateKey, 'RS384', 'k1'), 'system/*.rs');
      expect(unknownApp.body.error).toBe('invalid_client');
    });
  });
});
