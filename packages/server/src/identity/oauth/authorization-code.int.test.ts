import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, useTestServer } from '../../test-support/test-database.js';
import { authorizeUrl, pkcePair, TestBrowser } from '../../test-support/oauth-browser.js';
import { REDIRECT, seedTwoPatients, smartHelpers } from '../../test-support/smart-helpers.js';
import { currentCode, nextCode } from '../../test-support/authenticator-codes.js';
import { decodeJwt } from 'jose';

/**
 * Apps authorized by people through the sign-in and consent pages (standalone and EHR launch):
 * what each token may and may not do.
 */
describe('SMART authorization code flow', () => {
  const context = useTestServer({ listen: true });
  const { origin, issuer, admin, registerApp, token, fhirWith, authorize, exchange } = smartHelpers(context);
  let alice: string;
  let bob: string;
  let aliceObservation: string;
  let bobObservation: string;

  beforeAll(async () => {
    ({ alice, bob, aliceObservation, bobObservation } = await seedTwoPatients(context.server));
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
      // The authorization is on the trail and in Alice's accounting of disclosures.
      const trail = await context.server.fhir('GET', `AuditEvent?patient=${alice}&agent=${physician.accountId}`);
      const authorized = trail.body.entry.map((e: { resource: { subtype: { code: string }[]; outcomeDesc?: string } }) => e.resource).find((r: { subtype: { code: string }[] }) => r.subtype[0]!.code === 'app-authorized');
      expect(authorized.outcomeDesc).toContain('Chart viewer');
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
      await context.server.request({ method: 'POST', url: '/auth/mfa/confirm', headers: auth, payload: { secret, totp: await currentCode(secret) } });

      const browser = new TestBrowser(origin());
      const signIn = await start(browser);
      const askCode = await browser.submit(signIn, { email: nurse.email, password: TEST_PASSWORD });
      expect(askCode.status).toBe(401);
      expect(askCode.html).toContain('name="totp"');
      const wrong = await browser.submit(askCode, { email: nurse.email, password: TEST_PASSWORD, totp: '000000' });
      expect(wrong.status).toBe(401);
      const consent = await browser.submit(wrong, { email: nurse.email, password: TEST_PASSWORD, totp: await nextCode(secret) });
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

});
