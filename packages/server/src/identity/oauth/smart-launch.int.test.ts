import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, useTestServer } from '../../test-support/test-database.js';
import { TestBrowser } from '../../test-support/oauth-browser.js';
import { SmartTestApp } from '../../test-support/smart-test-app.js';

/**
 * A real SMART client (fhirclient) completes a standalone launch: the app redirects the
 * browser to Unichart, the person signs in and allows access, fhirclient exchanges the code
 * and reads the record with the token it got.
 */
describe('standalone launch with fhirclient', () => {
  const context = useTestServer({ listen: true });
  let smartApp: SmartTestApp;
  let alice: string;
  let bob: string;
  let patientEmail: string;
  let bobObservation: string;
  let patientAccount: string;
  let clientId: string;

  const observation = (patient: string, code: string) => ({
    resourceType: 'Observation', status: 'final', code: { text: code }, subject: { reference: `Patient/${patient}` },
  });

  beforeAll(async () => {
    const { server } = context;
    alice = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Alvarez', given: ['Alice'] }] })).body.id;
    bob = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Brown', given: ['Bob'] }] })).body.id;
    await server.fhir('POST', 'Observation', observation(alice, 'alice heart rate'));
    bobObservation = (await server.fhir('POST', 'Observation', observation(bob, 'bob heart rate'))).body.id;
    const patientUser = await server.signInAs('patient', { fhirUser: `Patient/${alice}` });
    patientEmail = patientUser.email;
    patientAccount = patientUser.accountId;

    // Registered first, so the app's redirect URI is known: the app's address is set when it starts.
    smartApp = await SmartTestApp.start({ iss: server.baseUrl, clientId: 'pending', scope: 'openid fhirUser launch/patient patient/Observation.rs offline_access' });
    const registered = await server.request({
      method: 'POST',
      url: '/admin/apps',
      headers: { authorization: `Bearer ${server.token}` },
      payload: { name: 'Heart rate viewer', kind: 'public', redirectUris: [smartApp.redirectUri], scopes: ['patient/*.rs'] },
    });
    expect(registered.statusCode).toBe(201);
    clientId = registered.json().clientId;
    (smartApp as unknown as { authorize: { clientId: string } }).authorize.clientId = clientId;
  });
  afterAll(() => smartApp?.close());

  it('signs in, consents, and fhirclient reads only the patient\'s observations', async () => {
    const browser = new TestBrowser(new URL(context.server.baseUrl).origin);
    const start = await fetch(`${smartApp.url}/launch`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorizeUrl = start.headers.get('location')!;
    expect(authorizeUrl).toContain('code_challenge_method=S256');

    const signIn = await browser.visit(authorizeUrl);
    expect(signIn.status).toBe(200);
    expect(signIn.html).toContain('Heart rate viewer');
    const consent = await browser.submit(signIn, { email: patientEmail, password: TEST_PASSWORD });
    expect(consent.status).toBe(200);
    expect(consent.html).toContain('patient/Observation.rs');
    expect(consent.html).toContain('your own record');
    const done = await browser.submit(consent, { decision: 'allow' });
    expect(done.leftTo).toMatch(new RegExp(`^${smartApp.redirectUri}\\?code=`));

    const callback = await fetch(done.leftTo!);
    expect(await callback.text()).toBe('ready');
    const client = smartApp.client!;
    expect(client.patient.id).toBe(alice);
    expect(client.state.tokenResponse?.refresh_token).toBeTruthy();
    expect(client.getFhirUser()).toBe(`Patient/${alice}`);

    const bundle = await client.request<{ entry?: { resource: { subject: { reference: string } } }[] }>('Observation');
    expect(bundle.entry?.map((e) => e.resource.subject.reference)).toEqual([`Patient/${alice}`]);
    // Another patient's observation, by id: refused. Another type: refused (the scope names Observation only).
    await expect(client.request(`Observation/${bobObservation}`)).rejects.toMatchObject({ status: 403 });
    await expect(client.patient.read()).rejects.toMatchObject({ status: 403 });
    await expect(client.request('Condition')).rejects.toMatchObject({ status: 403 });

    // The refresh token gets a new access token that works the same way.
    const before = client.state.tokenResponse!.access_token;
    await client.refresh();
    expect(client.state.tokenResponse!.access_token).not.toBe(before);
    const again = await client.request<{ entry?: unknown[] }>('Observation');
    expect(again.entry).toHaveLength(1);

    // Each access is on the audit trail with the app named.
    const trail = await context.server.fhir('GET', `AuditEvent?agent=${patientAccount}&_count=100`);
    const appAgents = trail.body.entry.flatMap((e: { resource: { agent: { who?: { identifier?: { value?: string } } }[] } }) => e.resource.agent.map((a) => a.who?.identifier?.value));
    expect(appAgents).toContain(clientId);
  });
});
