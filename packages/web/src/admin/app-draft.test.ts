import { describe, expect, it } from 'vitest';
import { appDraftProblems, appRequestOf, EMPTY_APP_DRAFT, isRedirectUri, type AppDraft } from './app-draft.js';

const viewer: AppDraft = { ...EMPTY_APP_DRAFT, name: 'Growth charts', redirectUris: 'https://charts.example/callback', scopes: 'patient/Observation.rs patient/Patient.read' };
const backend: AppDraft = { ...EMPTY_APP_DRAFT, name: 'Population export', kind: 'backend', scopes: 'system/*.rs', keys: 'url', jwksUrl: 'https://export.example/jwks.json' };

describe('registering an app', () => {
  it('accepts a patient app and sends launch, identity and the typed scopes', () => {
    expect(appDraftProblems(viewer)).toEqual({});
    expect(appRequestOf({ ...viewer, launches: { ehr: true, standalone: true } })).toEqual({
      name: 'Growth charts',
      kind: 'public',
      redirectUris: ['https://charts.example/callback'],
      scopes: 'launch launch/patient openid fhirUser patient/Observation.rs patient/Patient.read',
    });
  });

  it('refuses redirect URIs that are relative, not http(s) or carry a fragment, and needs one for apps that sign people in', () => {
    expect(isRedirectUri('https://app.example/cb')).toBe(true);
    expect(isRedirectUri('http://localhost:3000/cb')).toBe(true);
    expect(isRedirectUri('/cb')).toBe(false);
    expect(isRedirectUri('javascript:alert(1)')).toBe(false);
    expect(isRedirectUri('https://app.example/cb#x')).toBe(false);
    expect(appDraftProblems({ ...viewer, redirectUris: 'https://ok.example/cb\nftp://files.example/cb' }).redirectUris).toContain('ftp://files.example/cb');
    expect(appDraftProblems({ ...viewer, redirectUris: ' ' }).redirectUris).toMatch(/at least one redirect URI/);
    expect(appDraftProblems({ ...backend, redirectUris: '' }).redirectUris).toBeUndefined();
  });

  it('refuses scopes that are not SMART scopes, and system scopes outside backend services (and the reverse)', () => {
    expect(appDraftProblems({ ...viewer, scopes: 'patient/*.everything read-all' }).scopes).toBe('Not SMART scopes: patient/*.everything, read-all (write e.g. patient/Observation.rs or user/*.read)');
    expect(appDraftProblems({ ...viewer, scopes: 'patient/Observation.sr' }).scopes).toMatch(/Not SMART scopes/);
    expect(appDraftProblems({ ...viewer, scopes: 'patient/Observation.' }).scopes).toMatch(/Not SMART scopes/);
    expect(appDraftProblems({ ...viewer, scopes: 'openid' }).scopes).toMatch(/at least one resource scope/);
    expect(appDraftProblems({ ...viewer, scopes: 'system/*.rs' }).scopes).toBe('Only backend services take system/ scopes');
    expect(appDraftProblems({ ...backend, scopes: 'user/*.rs' }).scopes).toBe('A backend service takes only system/ scopes');
    expect(appDraftProblems({ ...viewer, scopes: 'user/*.cruds patient/Observation.rs?category=laboratory' }).scopes).toBeUndefined();
  });

  it('a backend service needs its public keys, by https URL or as a JWK Set without private parts', () => {
    expect(appDraftProblems(backend)).toEqual({});
    expect(appDraftProblems({ ...backend, keys: 'none' }).jwks).toMatch(/public keys/);
    expect(appDraftProblems({ ...backend, jwksUrl: 'http://export.example/jwks.json' }).jwksUrl).toMatch(/https/);
    expect(appDraftProblems({ ...backend, keys: 'jwks', jwks: '{"keys": []}' }).jwks).toMatch(/at least one key/);
    expect(appDraftProblems({ ...backend, keys: 'jwks', jwks: 'not json' }).jwks).toMatch(/as JSON/);
    expect(appDraftProblems({ ...backend, keys: 'jwks', jwks: '{"keys": [{"kty": "EC", "d": "secret"}]}' }).jwks).toMatch(/private key/);
    const jwks = { keys: [{ kty: 'EC', crv: 'P-384', x: 'x', y: 'y', kid: 'k1' }] };
    expect(appRequestOf({ ...backend, keys: 'jwks', jwks: JSON.stringify(jwks) })).toEqual({ name: 'Population export', kind: 'backend', redirectUris: [], scopes: 'system/*.rs', jwks });
  });

  it('a public app sends no keys whatever was typed before switching kind', () => {
    expect(appRequestOf({ ...viewer, keys: 'url', jwksUrl: 'https://x.example/jwks' })).not.toHaveProperty('jwksUrl');
  });
});
