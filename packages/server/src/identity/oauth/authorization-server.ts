import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, interactionPolicy, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore } from '../account-store.js';
import type { AppRegistry } from './app-registry.js';
import { createOidcAdapter } from './oidc-adapter.js';
import { errorPage, PAGE_CSP } from './interaction-pages.js';
import type { LaunchContexts } from './launch-contexts.js';
import type { OAuthArtifacts } from './oauth-artifacts.js';
import { isCoveredBy, NON_RESOURCE_SCOPES, parseScopes } from './smart-scopes.js';

export const OAUTH_BASE = '/oauth2';

export interface AuthorizationServerOptions {
  /** Public origin of the server, e.g. https://ehr.example.org (the issuer is <origin>/oauth2). */
  readonly origin: string;
  /** The FHIR base URL apps must name as `aud`. */
  readonly fhirBaseUrl: string;
  readonly accounts: AccountStore;
  readonly apps: AppRegistry;
  readonly launches: LaunchContexts;
  readonly artifacts: OAuthArtifacts;
  readonly accessTokenSeconds: number;
  /** How long an online_access refresh token lives (the staff session length). */
  readonly sessionHours: number;
}

/** Client authentication algorithms SMART Backend Services names (RS384, ES384), and the common ones. */
const CLIENT_ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256', 'PS256', 'PS384'] as const;

/**
 * The OAuth2 / OpenID Connect authorization server for apps: oidc-provider (certified), told
 * where to keep its state (our database), who the accounts are, and the SMART rules:
 * authorization code with PKCE (S256) only, `aud` must be our FHIR base, the launch context
 * (patient, encounter) rides on the access token and the token response.
 */
export async function createAuthorizationServer(options: AuthorizationServerOptions): Promise<Provider> {
  const { accounts, apps, launches } = options;
  const signingKey = JSON.parse(await accounts.platformSecret('oauth-signing-jwk', newSigningKey)) as JWK;
  const cookieKey = await accounts.platformSecret('oauth-cookie-key');

  const policy = interactionPolicy.base();
  // Every authorization is shown to the person: a SMART app's resource scopes are not OpenID
  // scopes, so oidc-provider would not ask about them on its own.
  policy.get('consent')!.checks.add(
    new interactionPolicy.Check('smart_consent', 'the person confirms what the app may do', (ctx) => !ctx.oidc.result?.consent?.grantId),
  );

  const configuration: Configuration = {
    adapter: createOidcAdapter(options.artifacts, apps, accounts),
    clients: [],
    jwks: { keys: [signingKey] },
    cookies: { keys: [cookieKey] },
    scopes: [...NON_RESOURCE_SCOPES],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'], profile: ['name', 'email'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: [...CLIENT_ASSERTION_ALGORITHMS] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      // The FHIR API is the one resource server: every access token is for it (aud = the FHIR
      // base URL) and carries the SMART resource scopes, which are not OpenID scopes.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.fhirBaseUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: async (ctx, indicator, client) => {
          if (indicator.replace(/\/+$/, '') !== options.fhirBaseUrl) throw new errors.InvalidTarget(`The only resource here is the FHIR API ${options.fhirBaseUrl}`);
          const scope = await resourceScopesFor(ctx, client.clientId);
          // A backend service's token is its scopes and nothing else: none allowed, no token.
          if (!scope && ctx.oidc.params?.grant_type === 'client_credentials') throw new errors.InvalidScope('none of the requested scopes is allowed for this app', String(ctx.oidc.params.scope ?? ''));
          return { scope, audience: options.fhirBaseUrl, accessTokenFormat: 'opaque', accessTokenTTL: options.accessTokenSeconds };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${OAUTH_BASE}/interaction/${interaction.uid}`, policy },
    extraParams: {
      launch: null,
      // SMART App Launch: the app names the FHIR server it wants a token for.
      aud(_ctx: KoaContextWithOIDC, value: unknown) {
        if (value === undefined) throw new errors.InvalidRequest(`aud is required: the FHIR base URL ${options.fhirBaseUrl}`);
        if (typeof value !== 'string' || value.replace(/\/+$/, '') !== options.fhirBaseUrl) throw new errors.InvalidRequest(`aud must be this server's FHIR base URL ${options.fhirBaseUrl}`);
      },
    },
    // A browser app calls the token endpoint from its own origin: allowed for public apps
    // from the origins of their registered redirect URIs (and for userinfo), no others.
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' && (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') && (client.redirectUris ?? []).some((uri) => URL.canParse(uri) && new URL(uri).origin === origin),
    async findAccount(_ctx, sub) {
      const tenantId = await accounts.tenantOfAccount(sub);
      const active = tenantId ? await accounts.activeAccount(tenantId, sub) : undefined;
      if (!active) return undefined;
      const { account } = active;
      return {
        accountId: account.id,
        claims: () => ({
          sub: account.id,
          ...(account.fhirUser ? { fhirUser: `${options.fhirBaseUrl}/${account.fhirUser}` } : {}),
          name: account.displayName,
          email: account.email,
        }),
      };
    },
    // A grant is only ever the one the person just confirmed: a new authorization asks again
    // (and may name another patient).
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId as string | undefined;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || code.scopes.has('online_access')),
    async extraTokenClaims(_ctx, token) {
      const tid = token.clientId ? await apps.tenantOf(token.clientId) : undefined;
      const context = 'grantId' in token && token.grantId ? await launches.forGrant(token.grantId) : undefined;
      return { tid, ...(context?.patient ? { patient: context.patient } : {}), ...(context?.encounter ? { encounter: context.encounter } : {}) };
    },
    ttl: {
      AccessToken: options.accessTokenSeconds,
      ClientCredentials: options.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: options.sessionHours * 3600,
      Grant: 90 * 24 * 3600,
      RefreshToken: (_ctx, token) => (token.scopes.has('offline_access') ? 90 * 24 * 3600 : options.sessionHours * 3600),
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.set('content-security-policy', PAGE_CSP);
      ctx.body = errorPage('The app could not be authorized', `${String(out.error)}: ${String(out.error_description ?? '')}`);
    },
  };

  // SMART scopes are open-ended (any type, any permission letters): the resource server's scope
  // list is worked out per request from what is asked (or was granted), as far as the app's
  // registration allows it.
  const resourceScopesFor = async (ctx: KoaContextWithOIDC, clientId: string): Promise<string> => {
    const registered = await apps.findActive(clientId);
    if (!registered) return '';
    const allowed = parseScopes(registered.scopes).resources;
    const { entities, params } = ctx.oidc;
    const asked = [params?.scope, entities.AuthorizationCode?.scope, entities.RefreshToken?.scope, entities.Grant?.getResourceScope(options.fhirBaseUrl)]
      .filter((value): value is string => typeof value === 'string')
      .join(' ');
    return parseScopes(asked)
      .resources.filter((scope) => (registered.kind === 'backend') === (scope.context === 'system') && isCoveredBy(scope, allowed))
      .map((scope) => scope.scope)
      .join(' ');
  };

  const provider = new Provider(`${options.origin}${OAUTH_BASE}`, configuration);
  provider.use(async (ctx, next) => {
    // OpenID Connect grants offline_access only with prompt=consent; SMART apps ask for it
    // without, and every authorization here is confirmed on the consent page anyway.
    if (ctx.path === '/auth' && ctx.method === 'GET' && /(^|\s)(offline|online)_access(\s|$)/.test(String(ctx.query.scope ?? '')) && ctx.query.prompt === undefined) {
      ctx.query = { ...ctx.query, prompt: 'consent' };
      // oidc-provider finds its mount point by comparing the URL with the original one.
      (ctx.req as typeof ctx.req & { originalUrl?: string }).originalUrl = `${OAUTH_BASE}${ctx.url}`;
    }
    await next();
    // SMART: the launch context comes back beside the access token.
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.path === '/token' && ctx.status === 200 && body && typeof body.access_token === 'string') {
      const extra = (ctx.oidc?.entities.AccessToken ?? ctx.oidc?.entities.ClientCredentials)?.extra as { patient?: string; encounter?: string } | undefined;
      if (extra?.patient) Object.assign(body, { patient: extra.patient, need_patient_banner: true });
      if (extra?.encounter) body.encounter = extra.encounter;
      // The access token's scope holds the resource scopes; apps expect the whole grant listed
      // (openid, launch/patient, offline_access...), as SMART's token response shows it.
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      const granted = ctx.oidc.entities.Grant && source ? ctx.oidc.entities.Grant.getOIDCScopeFiltered(source.scopes) : '';
      if (granted) body.scope = [granted, body.scope].filter(Boolean).join(' ');
    }
  });
  return provider;
}

async function newSigningKey(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({ ...jwk, alg: 'RS256', use: 'sig', kid: `unichart-${Date.now().toString(36)}` });
}
