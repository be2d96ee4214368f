/**
 * Registering a SMART on FHIR app (POST /admin/apps): the form's draft, the checks the server
 * makes (identity/oauth/app-routes.ts), made here first so the form explains before sending.
 */
export type AppKind = 'public' | 'confidential' | 'backend';

/** An app as GET /admin/apps lists it (the POST answer adds `clientSecret`, once). */
export interface RegisteredApp {
  readonly clientId: string;
  readonly name: string;
  readonly kind: AppKind;
  readonly redirectUris: readonly string[];
  readonly scopes: string;
  readonly authMethod: string;
  readonly jwksUrl?: string;
  readonly status: 'active' | 'disabled';
  readonly createdAt: string;
}

export interface AppDraft {
  name: string;
  kind: AppKind;
  /** One per line. */
  redirectUris: string;
  /** How people start the app: from inside the chart (EHR launch) or on its own, choosing a patient. */
  launches: { ehr: boolean; standalone: boolean };
  /** Space- or line-separated resource scopes, e.g. patient/*.rs. */
  scopes: string;
  /** Confidential apps and backend services may authenticate with a key: its URL or the JWK Set itself. */
  keys: 'none' | 'url' | 'jwks';
  jwksUrl: string;
  jwks: string;
}

export type AppDraftErrors = Partial<Record<'name' | 'redirectUris' | 'scopes' | 'jwksUrl' | 'jwks', string>>;

export const EMPTY_APP_DRAFT: AppDraft = { name: '', kind: 'public', redirectUris: '', launches: { ehr: false, standalone: true }, scopes: '', keys: 'none', jwksUrl: '', jwks: '' };

export const KIND_LABELS: Record<AppKind, string> = {
  public: 'Public (browser or phone app, no secret)',
  confidential: 'Confidential (server-side app with a secret or key)',
  backend: 'Backend service (no user, signed JWT)',
};

/** SMART App Launch scopes: v1 `.read/.write/.*`, v2 `.cruds` letters in that order, optionally `?query`. */
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|\*|(?=[cruds])c?r?u?d?s?)(\?.+)?$/;
const OTHER_SCOPES = new Set(['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access']);

const lines = (text: string) => text.split(/\s+/).map((s) => s.trim()).filter(Boolean);

export function isRedirectUri(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash && !value.includes('#');
  } catch {
    return false;
  }
}

/** The scopes sent: the resource scopes typed, plus what the launch choices and signing people in need. */
export function scopesOf(draft: AppDraft): string[] {
  const typed = lines(draft.scopes);
  if (draft.kind === 'backend') return [...new Set(typed)];
  const launch = [...(draft.launches.ehr ? ['launch'] : []), ...(draft.launches.standalone ? ['launch/patient'] : [])];
  return [...new Set([...launch, 'openid', 'fhirUser', ...typed])];
}

export function appDraftProblems(draft: AppDraft): AppDraftErrors {
  const errors: AppDraftErrors = {};
  if (!draft.name.trim()) errors.name = 'Enter the app’s name as people will see it when they allow it';
  else if (draft.name.trim().length > 200) errors.name = 'Keep the name to 200 characters';

  const uris = lines(draft.redirectUris);
  const badUri = uris.find((uri) => !isRedirectUri(uri));
  if (badUri) errors.redirectUris = `${badUri} is not an absolute http(s) address without a #fragment`;
  else if (draft.kind !== 'backend' && uris.length === 0) errors.redirectUris = 'An app that signs people in needs at least one redirect URI';

  const typed = lines(draft.scopes);
  const malformed = typed.filter((scope) => !RESOURCE_SCOPE.test(scope) && !OTHER_SCOPES.has(scope));
  const resource = typed.filter((scope) => RESOURCE_SCOPE.test(scope));
  if (malformed.length) errors.scopes = `Not SMART scopes: ${malformed.join(', ')} (write e.g. patient/Observation.rs or user/*.read)`;
  else if (resource.length === 0) errors.scopes = draft.kind === 'backend' ? 'Allow at least one resource scope, e.g. system/*.rs' : 'Allow at least one resource scope, e.g. patient/*.rs';
  else if (draft.kind === 'backend' && resource.some((s) => !s.startsWith('system/'))) errors.scopes = 'A backend service takes only system/ scopes';
  else if (draft.kind !== 'backend' && resource.some((s) => s.startsWith('system/'))) errors.scopes = 'Only backend services take system/ scopes';

  const keys = draft.kind === 'public' ? 'none' : draft.kind === 'backend' && draft.keys === 'none' ? 'missing' : draft.keys;
  if (keys === 'missing') errors.jwks = 'A backend service signs its requests: give its public keys or their URL';
  if (keys === 'url' && !/^https:\/\/\S+$/.test(draft.jwksUrl.trim())) errors.jwksUrl = 'The key set URL must be an https address';
  if (keys === 'jwks') {
    const problem = jwksProblem(draft.jwks);
    if (problem) errors.jwks = problem;
  }
  return errors;
}

function jwksProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'Paste the JWK Set as JSON: {"keys": [...]}';
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return 'The JWK Set needs at least one key: {"keys": [...]}';
  if (keys.some((key) => typeof key !== 'object' || key === null || !('kty' in key))) return 'Each key needs a "kty"';
  if (keys.some((key) => 'd' in (key as object))) return 'That set holds a private key: paste the public keys only';
  return undefined;
}

/** The POST /admin/apps body for a draft without problems. */
export function appRequestOf(draft: AppDraft): Record<string, unknown> {
  const keys = draft.kind === 'public' ? 'none' : draft.keys;
  return {
    name: draft.name.trim(),
    kind: draft.kind,
    redirectUris: draft.kind === 'backend' ? [] : lines(draft.redirectUris),
    scopes: scopesOf(draft).join(' '),
    ...(keys === 'url' ? { jwksUrl: draft.jwksUrl.trim() } : {}),
    ...(keys === 'jwks' ? { jwks: JSON.parse(draft.jwks) as unknown } : {}),
  };
}
