import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../../test-support/oauth-browser.js';
import { freePort, TEST_PASSWORD, useTestServer } from '../../test-support/test-database.js';

const env = useTestServer({ listen: true });
let idp: Server;
let issuer: string;
let providerId: string;
const IDP_SECRET = 'the practice identity provider secret';

/** The people the practice's identity provider knows, with the groups it puts in their ID token. */
const people: Record<string, { email: string; name: string; groups: string[]; email_verified?: boolean }> = {
  dana: { email: 'dana.doctor@clinic.test', name: 'Dana Doctor', groups: ['clinic-doctors'] },
  fred: { email: 'fred.desk@clinic.test', name: 'Fred Desk', groups: ['clinic-staff'] },
  zoe: { email: 'zoe.nobody@clinic.test', name: 'Zoe Nobody', groups: [] },
  // Registered herself at the provider under the address of someone who has an account.
  mallory: { email: 'fred.desk@clinic.test', name: 'Mallory', groups: ['clinic-doctors'], email_verified: false },
};

const origin = () => new URL(env.server.baseUrl).origin;
const admin = (method: 'GET' | 'POST', url: string, payload?: unknown) => env.server.request({ method, url, payload: payload as object, headers: { authorization: `Bearer ${env.server.token}` } });

beforeAll(async () => {
  issuer = `http://127.0.0.1:${await freePort()}`;
  // A real OpenID Connect provider (the library Unichart itself uses for apps) stands in for Entra ID or Okta.
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'unichart', client_secret: IDP_SECRET, redirect_uris: [`${origin()}/auth/sso/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...people[id] }) }),
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (_ctx, error) => console.error('IDP', error));
  idp = provider.listen(Number(new URL(issuer).port));
  const saved = await admin('POST', '/admin/sso', {
    name: 'Clinic Login',
    issuer,
    clientId: 'unichart',
    clientSecret: IDP_SECRET,
    roleClaim: 'groups',
    roleMap: { 'clinic-doctors': 'physician', 'clinic-staff': 'front-desk' },
  });
  expect(saved.statusCode, saved.body).toBe(201);
  providerId = saved.json().id;
});

afterAll(() => new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve())));

/** The whole round trip, as a browser makes it: Unichart, the provider's login and consent, back to the web app. */
async function signInThroughProvider(login: string): Promise<URLSearchParams> {
  const unichart = new TestBrowser(origin());
  const provider = new TestBrowser(issuer);
  const start = await unichart.visit(`${origin()}/auth/sso/${providerId}/start`);
  expect(start.leftTo).toContain(`${issuer}/auth?`);
  let page = await provider.visit(start.leftTo!);
  page = await provider.submit(page, { prompt: 'login', login, password: 'anything' });
  while (!page.leftTo) page = await provider.submit(page, { prompt: 'consent' });
  expect(page.leftTo).toContain('/auth/sso/callback');
  const back = await unichart.visit(page.leftTo);
  expect(back.url).toContain('/app/sso#');
  return new URLSearchParams(back.url.split('#')[1]);
}

const me = async (token: string) => (await env.server.request({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).json();

describe('single sign-on through the practice\'s OpenID Connect provider', () => {
  it('lists the provider on the sign-in page and signs a mapped newcomer in with the role their group maps to', async () => {
    const choices = (await env.server.request({ method: 'GET', url: '/auth/sso' })).json();
    expect(choices).toContainEqual(expect.objectContaining({ id: providerId, name: 'Clinic Login' }));
    const fragment = await signInThroughProvider('dana');
    const account = await me(fragment.get('access_token')!);
    expect(account).toMatchObject({ email: 'dana.doctor@clinic.test', role: 'physician' });
    // The session is a normal one: FHIR works, and the refresh token too.
    const search = await env.server.request({ method: 'GET', url: '/fhir/R4/Patient?_count=1', headers: { authorization: `Bearer ${fragment.get('access_token')}` } });
    expect(search.statusCode).toBe(200);
    const refreshed = await env.server.request({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: fragment.get('refresh_token') } });
    expect(refreshed.statusCode).toBe(200);
    const audit = await env.server.fhir('GET', 'AuditEvent?_count=50');
    expect(JSON.stringify(audit.body)).toContain('Signed in through Clinic Login');
  });

  it('signs in an existing account by its email, with the role the provider\'s group gives', async () => {
    const existing = await admin('POST', '/admin/users', { email: 'fred.desk@clinic.test', displayName: 'Fred', role: 'nurse', password: TEST_PASSWORD });
    expect(existing.statusCode, existing.body).toBe(201);
    const account = await me((await signInThroughProvider('fred')).get('access_token')!);
    expect(account).toMatchObject({ email: 'fred.desk@clinic.test', role: 'front-desk' });
  });

  it('turns away someone without an account or a mapped group, and a deactivated account, saying why', async () => {
    const nobody = await signInThroughProvider('zoe');
    expect(nobody.get('access_token')).toBeNull();
    expect(nobody.get('error')).toContain('There is no Unichart account for zoe.nobody@clinic.test');

    const users = (await admin('GET', '/admin/users')).json() as { id: string; email: string }[];
    const dana = users.find((u) => u.email === 'dana.doctor@clinic.test')!;
    expect((await admin('POST', `/admin/users/${dana.id}/deactivate`)).statusCode).toBe(204);
    expect((await signInThroughProvider('dana')).get('error')).toContain('deactivated');
    expect((await admin('POST', `/admin/users/${dana.id}/reactivate`)).statusCode).toBe(204);
  });

  it('does not match an address the provider has not verified to an account', async () => {
    const refused = await signInThroughProvider('mallory');
    expect(refused.get('access_token')).toBeNull();
    expect(refused.get('error')).toContain('has not verified fred.desk@clinic.test');
    // Nothing was linked or changed: Fred still signs in as himself, with his own role.
    const fred = await signInThroughProvider('fred');
    expect(await me(fred.get('access_token')!)).toMatchObject({ email: 'fred.desk@clinic.test', role: 'front-desk' });
  });

  it('refuses a way back it did not start', async () => {
    const forged = await new TestBrowser(origin()).visit(`${origin()}/auth/sso/callback?code=abc&state=${env.server.practice.id}.forged`);
    expect(new URLSearchParams(forged.url.split('#')[1]).get('error')).toContain('expired or was already used');
    const malformed = await new TestBrowser(origin()).visit(`${origin()}/auth/sso/callback?code=abc&state=${'-'.repeat(36)}.forged`);
    expect(new URLSearchParams(malformed.url.split('#')[1]).get('error')).toContain('not valid');
  });

  it('when the practice requires it, staff cannot sign in with a password; administrators still can', async () => {
    const saved = (await admin('GET', '/admin/sso')).json()[0];
    const required = await admin('POST', '/admin/sso', { ...saved, clientSecret: IDP_SECRET, required: true });
    expect(required.statusCode).toBe(201);
    const nurse = await admin('POST', '/admin/users', { email: 'nina.nurse@clinic.test', displayName: 'Nina', role: 'nurse', password: TEST_PASSWORD });
    expect(nurse.statusCode).toBe(201);
    const refused = await env.server.request({ method: 'POST', url: '/auth/login', payload: { email: 'nina.nurse@clinic.test', password: TEST_PASSWORD } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().issue[0].details.coding[0].code).toBe('sso-required');
    expect(refused.json().issue[0].diagnostics).toContain('Clinic Login');
    const users = (await admin('GET', '/admin/users')).json() as { email: string; roleCode: string }[];
    const adminEmail = users.find((u) => u.roleCode === 'administrator')!.email;
    expect((await env.server.request({ method: 'POST', url: '/auth/login', payload: { email: adminEmail, password: TEST_PASSWORD } })).statusCode).toBe(200);
    expect((await signInThroughProvider('fred')).get('access_token')).toBeTruthy();
    expect((await admin('POST', '/admin/sso', { ...saved, clientSecret: IDP_SECRET, required: false })).statusCode).toBe(201);
  });

  it('is configured by administrators only, with checked settings', async () => {
    const frontDesk = await env.server.signInAs('front-desk');
    const denied = await env.server.request({ method: 'GET', url: '/admin/sso', headers: { authorization: `Bearer ${frontDesk.token}` } });
    expect(denied.statusCode).toBe(403);
    expect((await admin('POST', '/admin/sso', { name: 'Bad', issuer: 'http://idp.example.com', clientId: 'x', clientSecret: 'y' })).statusCode).toBe(400);
    expect((await admin('POST', '/admin/sso', { name: 'Bad', issuer: 'https://idp.example.com', clientId: 'x', clientSecret: 'y', roleMap: { g: 'wizard' } })).statusCode).toBe(400);
  });
});
