import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, useTestServer } from '../../test-support/test-database.js';
import { authorizeUrl, pkcePair, TestBrowser } from '../../test-support/oauth-browser.js';

const REDIRECT = 'https://app.example.org/callback';

/**
 * Apps registered by an administrator, authorized by people through the sign-in and consent
 * pages, and backend services with signed JWTs: what each token may and may not do.
 */
describe('SMART apps and their tokens', () => {
  const context = useTestServer({ listen: true });
  const origin = () => new URL(context.server.baseUrl).origin;
  const issuer = () => `${origin()}/oauth2`;
  let alice: string;
  let bob: string;
  let aliceObservation: string;
  let bobObservation: string;

  const admin = (method: 'GET' | 'POST', url: string, payload?: unknown, token = context.server.token) =>
    context.server.request({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) });

  const registerApp = async (body: Record<string, unknown>) => {
    const response = await admin('POST', '/admin/apps', body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { clientId: string; clientSecret?: string };
  };

  const token = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${issuer()}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, string | undefined> };
  };

  const fhirWith = async (accessToken: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${context.server.baseUrl}/${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/fhir+json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  /** A person signs in and allows the app; returns the code (or the error) the app receives. */
  const authorize = async (input: { clientId: string; scope: string; email: string; patient?: string; launch?: string; challenge?: string | null; redirectUri?: string; aud?: string }) => {
    const browser = new TestBrowser(origin());
    const pkce = await pkcePair();
    const url = authorizeUrl(issuer(), {
      clientId: input.clientId,
      redirectUri: input.redirectUri ?? REDIRECT,
      scope: input.scope,
      aud: input.aud ?? context.server.baseUrl,
      ...(input.launch ? { launch: input.launch } : {}),
      ...(input.challenge === null ? {} : { codeChallenge: input.challenge ?? pkce.challenge }),
    });
    let page = await browser.visit(url);
    if (page.html.includes('name="password"')) page = await browser.submit(page, { email: input.email, password: TEST_PASSWORD });
    if (page.html.includes('name="decision"')) page = await browser.submit(page, { decision: 'allow', ...(input.patient ? { patient: input.patient } : {}) });
    const params = page.leftTo ? new URL(page.leftTo).searchParams : undefined;
    return { page, code: params?.get('code') ?? undefined, error: params?.get('error') ?? undefined, errorDescription: params?.get('error_description') ?? undefined, verifier: pkce.verifier };
  };

  const exchange = (clientId: string, code: string, verifier: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId, ...extra }, headers);

  beforeAll(async () => {
    const { server } = context;
    alice = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Alvarez' }] })).body.id;
    bob = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Brown' }] })).body.id;
    const obs = (patient: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${patient}` } });
    aliceObservation = (await server.fhir('POST', 'Observation', obs(alice))).body.id;
    bobObservation = (await server.fhir('POST', 'Observation', obs(bob))).body.id;
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
  });

  describe('authorization code flow', () => {
    let viewer: { clientId: string };
    let physician: { email: string; accountId: string };
    beforeAll(async () => {
      viewer = await registerApp({ name: 'Chart viewer', kind: 'public', redirectUris: [REDIRECT], scopes: 'patient/*.rs user/*.cruds' });
      physician = await context.server.signInAs('physician');
    });

    it('PKCE is required', async () => {
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid patient/Observation.rs', email: physician.email, challenge: null });
      expect(result.error).toBe('invalid_request');
      expect(result.errorDescription).toMatch(/PKCE/);
    });

    it('a wrong code verifier gets no token', async () => {
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid user/Observation.rs', email: physician.email });
      const response = await exchange(viewer.clientId, result.code!, 'a'.repeat(43));
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_grant');
    });

    it('a redirect URI that was not registered is refused, and the browser is not sent there', async () => {
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid patient/Observation.rs', email: physician.email, redirectUri: 'https://evil.example.com/callback' });
      expect(result.page.leftTo).toBeUndefined();
      expect(result.page.status).toBe(400);
      expect(result.page.html).toContain('redirect_uri');
    });

    it('aud must be this FHIR server', async () => {
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid patient/Observation.rs', email: physician.email, aud: 'https://other.example.org/fhir' });
      expect(result.error).toBe('invalid_request');
      expect(result.errorDescription).toMatch(/aud/);
    });

    it('a staff member picks the patient in a standalone launch; patient/ scopes then reach only that patient', async () => {
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid fhirUser launch/patient patient/Observation.rs', email: physician.email, patient: alice });
      // A browser app calls from the origin of its redirect URI.
      const response = await exchange(viewer.clientId, result.code!, result.verifier, {}, { origin: 'https://app.example.org' });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      expect(response.body.patient).toBe(alice);
      expect(response.body.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'fhirUser', 'launch/patient', 'patient/Observation.rs']));
      const accessToken = response.body.access_token!;

      const search = await fhirWith(accessToken, 'GET', 'Observation');
      expect(search.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([aliceObservation]);
      expect((await fhirWith(accessToken, 'GET', `Observation?subject=Patient/${bob}`)).body.total ?? 0).toBe(0);
      expect((await fhirWith(accessToken, 'GET', `Observation/${aliceObservation}`)).status).toBe(200);
      expect((await fhirWith(accessToken, 'GET', `Observation/${bobObservation}`)).status).toBe(403);
      expect((await fhirWith(accessToken, 'GET', 'Condition')).status).toBe(403);
      // Included resources the scopes do not cover are left out (the token has no Patient scope).
      const included = await fhirWith(accessToken, 'GET', 'Observation?_include=Observation:subject');
      expect(included.body.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Observation']);
      // .rs: no writing, even for a physician, even in the patient's own compartment.
      const write = await fhirWith(accessToken, 'POST', 'Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${alice}` } });
      expect(write.status).toBe(403);
    });

    it('a patient cannot be skipped or made up at consent', async () => {
      const browser = new TestBrowser(origin());
      const pkce = await pkcePair();
      let page = await browser.visit(authorizeUrl(issuer(), { clientId: viewer.clientId, redirectUri: REDIRECT, scope: 'launch/patient patient/*.rs', aud: context.server.baseUrl, codeChallenge: pkce.challenge }));
      page = await browser.submit(page, { email: physician.email, password: TEST_PASSWORD });
      expect(page.html).toContain('id="patient"');
      const unknown = await browser.submit(page, { decision: 'allow', patient: 'no-such-patient' });
      expect(unknown.status).toBe(400);
      expect(unknown.html).toContain('no patient no-such-patient');
    });

    it('scopes never widen a role: a front desk token with user/*.cruds still cannot write or read Observations', async () => {
      const frontDesk = await context.server.signInAs('front-desk');
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid user/*.cruds', email: frontDesk.email });
      const accessToken = (await exchange(viewer.clientId, result.code!, result.verifier)).body.access_token!;
      const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${alice}` } };
      const write = await fhirWith(accessToken, 'POST', 'Observation', observation);
      expect(write.status).toBe(403);
      expect(write.body.issue[0].diagnostics).toContain('front-desk');
      expect((await fhirWith(accessToken, 'GET', 'Observation')).status).toBe(403);
      // What the role allows, the scope lets through.
      expect((await fhirWith(accessToken, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Newcomer' }] })).status).toBe(201);
    });

    it('scopes beyond what the administrator allowed the app are not granted', async () => {
      const narrow = await registerApp({ name: 'Lab viewer', kind: 'public', redirectUris: [REDIRECT], scopes: 'user/Observation.rs' });
      const result = await authorize({ clientId: narrow.clientId, scope: 'openid user/Observation.rs user/Patient.cruds', email: physician.email });
      const response = await exchange(narrow.clientId, result.code!, result.verifier);
      expect(response.body.scope?.split(' ')).not.toContain('user/Patient.cruds');
      expect((await fhirWith(response.body.access_token!, 'GET', 'Patient')).status).toBe(403);
      expect((await fhirWith(response.body.access_token!, 'GET', 'Observation')).status).toBe(200);
    });

    it('the id token names the person (fhirUser)', async () => {
      const practitioner = (await context.server.fhir('POST', 'Practitioner', { resourceType: 'Practitioner', name: [{ family: 'Osler' }] })).body.id;
      const doctor = await context.server.signInAs('physician', { fhirUser: `Practitioner/${practitioner}` });
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid fhirUser user/Patient.rs', email: doctor.email });
      const response = await exchange(viewer.clientId, result.code!, result.verifier);
      const idToken = decodeJwt(response.body.id_token!);
      expect(idToken.fhirUser).toBe(`${context.server.baseUrl}/Practitioner/${practitioner}`);
      expect(idToken.sub).toBe(doctor.accountId);
    });

    it('refresh tokens work, and deactivating the person ends the access token and the refresh token at once', async () => {
      const nurse = await context.server.signInAs('nurse');
      const result = await authorize({ clientId: viewer.clientId, scope: 'openid user/Observation.rs offline_access', email: nurse.email });
      const first = await exchange(viewer.clientId, result.code!, result.verifier);
      expect(first.body.refresh_token).toBeTruthy();
      const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token!, client_id: viewer.clientId });
      expect(refreshed.status).toBe(200);
      expect((await fhirWith(refreshed.body.access_token!, 'GET', 'Observation')).status).toBe(200);

      expect((await admin('POST', `/admin/users/${nurse.accountId}/deactivate`)).statusCode).toBe(204);
      expect((await fhirWith(refreshed.body.access_token!, 'GET', 'Observation')).status).toBe(401);
      const again = await token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token ?? first.body.refresh_token!, client_id: viewer.clientId });
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
    });

    it('an app can revoke its own token', async () => {
      const result = await authorize({ clientId: viewer.clientId, scope: 'user/Patient.rs', email: physician.email });
      const accessToken = (await exchange(viewer.clientId, result.code!, result.verifier)).body.access_token!;
      expect((await fhirWith(accessToken, 'GET', 'Patient')).status).toBe(200);
      const revoked = await fetch(`${issuer()}/token/revocation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: accessToken, client_id: viewer.clientId }),
      });
      expect(revoked.status).toBe(200);
      expect((await fhirWith(accessToken, 'GET', 'Patient')).status).toBe(401);
    });

    it('a confidential app authenticates with its secret', async () => {
      const app = await registerApp({ name: 'Server app', kind: 'confidential', redirectUris: [REDIRECT], scopes: 'user/*.rs' });
      const result = await authorize({ clientId: app.clientId, scope: 'openid user/Patient.rs', email: physician.email });
      const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
      expect((await exchange(app.clientId, result.code!, result.verifier, {}, { authorization: `Basic ${Buffer.from(`${app.clientId}:wrong`).toString('base64')}` })).body.error).toBe('invalid_client');
      const response = await exchange(app.clientId, result.code!, result.verifier, {}, { authorization: basic });
      expect(response.status).toBe(200);
      expect((await fhirWith(response.body.access_token!, 'GET', 'Patient')).status).toBe(200);
    });

    it('a disabled app\'s tokens stop working', async () => {
      const app = await registerApp({ name: 'Short-lived', kind: 'public', redirectUris: [REDIRECT], scopes: 'user/*.rs' });
      const result = await authorize({ clientId: app.clientId, scope: 'user/Patient.rs', email: physician.email });
      const accessToken = (await exchange(app.clientId, result.code!, result.verifier)).body.access_token!;
      expect((await fhirWith(accessToken, 'GET', 'Patient')).status).toBe(200);
      expect((await admin('POST', `/admin/apps/${app.clientId}/disable`)).statusCode).toBe(204);
      expect((await fhirWith(accessToken, 'GET', 'Patient')).status).toBe(401);
    });
  });

  describe('sign-in page', () => {
    let viewer: { clientId: string };
    beforeAll(async () => {
      viewer = await registerApp({ name: 'Sign-in checker', kind: 'public', redirectUris: [REDIRECT], scopes: 'user/*.rs' });
    });
    const start = async (browser: TestBrowser) => {
      const pkce = await pkcePair();
      return browser.visit(authorizeUrl(issuer(), { clientId: viewer.clientId, redirectUri: REDIRECT, scope: 'openid user/Patient.rs', aud: context.server.baseUrl, codeChallenge: pkce.challenge }));
    };

    it('asks for the authenticator code when the account has MFA, and accepts only a right one', async () => {
      const nurse = await context.server.signInAs('nurse');
      const auth = { authorization: `Bearer ${nurse.token}` };
      const { secret } = (await context.server.request({ method: 'POST', url: '/auth/mfa/setup', headers: auth })).json();
      await context.server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: auth, payload: { secret, totp: await generate({ secret }) } });

      const browser = new TestBrowser(origin());
      const signIn = await start(browser);
      const askCode = await browser.submit(signIn, { email: nurse.email, password: TEST_PASSWORD });
      expect(askCode.status).toBe(401);
      expect(askCode.html).toContain('name="totp"');
      const wrong = await browser.submit(askCode, { email: nurse.email, password: TEST_PASSWORD, totp: '000000' });
      expect(wrong.status).toBe(401);
      const consent = await browser.submit(wrong, { email: nurse.email, password: TEST_PASSWORD, totp: await generate({ secret }) });
      expect(consent.status).toBe(200);
      expect(consent.html).toContain('name="decision"');
    });

    it('locks the account after repeated wrong passwords, as the Unichart sign-in does', async () => {
      const biller = await context.server.signInAs('biller');
      const browser = new TestBrowser(origin());
      let page = await start(browser);
      for (let attempt = 0; attempt < 5; attempt++) {
        page = await browser.submit(page, { email: biller.email, password: 'not the password at all' });
        expect(page.status).toBe(401);
      }
      const locked = await browser.submit(page, { email: biller.email, password: TEST_PASSWORD });
      expect(locked.status).toBe(401);
      expect(locked.html).toContain('locked');
      const trail = await context.server.fhir('GET', `AuditEvent?agent=${biller.accountId}&_count=50`);
      const failed = trail.body.entry.filter((e: { resource: { subtype: { code: string }[] } }) => e.resource.subtype[0]!.code === 'login-failed');
      expect(failed.length).toBeGreaterThanOrEqual(5);
    });

    it('a person of another practice cannot use the app', async () => {
      const other = await (await import('../../test-support/test-database.js')).startTestServer(context.db);
      try {
        const stranger = await other.signInAs('physician');
        const browser = new TestBrowser(origin());
        const signIn = await start(browser);
        const refused = await browser.submit(signIn, { email: stranger.email, password: TEST_PASSWORD });
        expect(refused.status).toBe(403);
        expect(refused.html).toContain('not registered with your practice');
        // Row-level security: the other practice sees none of this practice's apps or OAuth artifacts.
        const theirList = await other.request({ method: 'GET', url: '/admin/apps', headers: { authorization: `Bearer ${other.token}` } });
        expect(theirList.json()).toEqual([]);
        const count = async (tenantId: string, table: string) => Number((await context.db.query<{ n: number }>(tenantId, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
        expect(await count(context.server.practice.id, 'oauth_client')).toBeGreaterThan(0);
        expect(await count(context.server.practice.id, 'oauth_artifact')).toBeGreaterThan(0);
        expect(await count(other.practice.id, 'oauth_client')).toBe(0);
        expect(await count(other.practice.id, 'oauth_artifact')).toBe(0);
      } finally {
        await other.app.close();
      }
    });

    it('denying at consent sends the app access_denied', async () => {
      const nurse = await context.server.signInAs('nurse');
      const browser = new TestBrowser(origin());
      const consent = await browser.submit(await start(browser), { email: nurse.email, password: TEST_PASSWORD });
      const denied = await browser.submit(consent, { decision: 'deny' });
      expect(new URL(denied.leftTo!).searchParams.get('error')).toBe('access_denied');
    });
  });

  describe('EHR launch', () => {
    it('the EHR makes a launch bound to a patient and encounter; the token response carries them', async () => {
      const app = await registerApp({ name: 'Encounter notes', kind: 'public', redirectUris: [REDIRECT], scopes: 'patient/*.rs' });
      const physician = await context.server.signInAs('physician');
      const encounter = (await context.server.fhir('POST', 'Encounter', { resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' }, subject: { reference: `Patient/${bob}` } })).body.id;
      const made = await admin('POST', '/oauth2/launch', { patient: bob, encounter }, physician.token);
      expect(made.statusCode, made.body).toBe(200);
      const { launch, iss } = made.json();
      expect(iss).toBe(context.server.baseUrl);

      const result = await authorize({ clientId: app.clientId, scope: 'launch openid patient/Observation.rs', email: physician.email, launch });
      const response = await exchange(app.clientId, result.code!, result.verifier);
      expect(response.body).toMatchObject({ patient: bob, encounter });
      const search = await fhirWith(response.body.access_token!, 'GET', 'Observation');
      expect(search.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([bobObservation]);
    });

    it('a launch is refused for a patient the person may not open, and to a stranger', async () => {
      const patientUser = await context.server.signInAs('patient', { fhirUser: `Patient/${alice}` });
      expect((await admin('POST', '/oauth2/launch', { patient: bob }, patientUser.token)).statusCode).toBe(403);
      expect((await context.server.request({ method: 'POST', url: '/oauth2/launch', payload: { patient: bob } })).statusCode).toBe(401);
      expect((await admin('POST', '/oauth2/launch', { patient: '../etc' })).statusCode).toBe(400);
      expect((await admin('POST', '/oauth2/launch', { patient: 'no-such-patient' })).statusCode).toBe(403);
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
