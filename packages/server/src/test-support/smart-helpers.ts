import { expect } from 'vitest';
import type { Database } from '../db/database.js';
import { authorizeUrl, pkcePair, TestBrowser } from './oauth-browser.js';
import { TEST_PASSWORD, type TestServer } from './test-database.js';

/** The redirect URI test apps register; the browser never follows a redirect there. */
export const REDIRECT = 'https://app.example.org/callback';

/**
 * What a SMART app and its user do against a listening test server: register (as the
 * administrator), authorize through the sign-in and consent pages, exchange codes, call FHIR.
 */
export function smartHelpers(context: { readonly server: TestServer; readonly db: Database }) {
  const origin = () => new URL(context.server.baseUrl).origin;
  const issuer = () => `${origin()}/oauth2`;

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

  return { origin, issuer, admin, registerApp, token, fhirWith, authorize, exchange };
}

/** Two patients with one observation each. */
export async function seedTwoPatients(server: TestServer): Promise<{ alice: string; bob: string; aliceObservation: string; bobObservation: string }> {
  const alice = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Alvarez' }] })).body.id;
  const bob = (await server.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Brown' }] })).body.id;
  const obs = (patient: string) => ({ resourceType: 'Observation', status: 'final', code: { text: 'pulse' }, subject: { reference: `Patient/${patient}` } });
  const aliceObservation = (await server.fhir('POST', 'Observation', obs(alice))).body.id;
  const bobObservation = (await server.fhir('POST', 'Observation', obs(bob))).body.id;
  return { alice, bob, aliceObservation, bobObservation };
}
