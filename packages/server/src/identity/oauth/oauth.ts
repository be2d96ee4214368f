import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from '../../audit/audit-trail.js';
import type { Database } from '../../db/database.js';
import type { FhirRepository } from '../../fhir/repository.js';
import { unauthorized, type Actor } from '../authenticator.js';
import type { Identity } from '../identity.js';
import { AppRegistry } from './app-registry.js';
import { registerAppRoutes } from './app-routes.js';
import { AppTokenAuthenticator } from './app-token-authenticator.js';
import { createAuthorizationServer } from './authorization-server.js';
import { registerInteractionRoutes } from './interaction-routes.js';
import { LaunchContexts } from './launch-contexts.js';
import { OAuthArtifacts } from './oauth-artifacts.js';
import { mountAuthorizationServer, registerEhrLaunch, registerSmartDiscovery } from './oauth-routes.js';
import { smartSecurity } from './smart-configuration.js';

export interface OAuthOptions {
  readonly db: Database;
  readonly identity: Identity;
  readonly audit: AuditTrail;
  /** Public origin of the server (scheme, host, port). */
  readonly origin: string;
  readonly fhirBase: string;
  readonly fhirBaseUrl: string;
  readonly repositoryFor: (tenantId: string) => Promise<FhirRepository>;
  readonly signInsPerMinute: number;
}

const PURGE_EVERY_MS = 15 * 60 * 1000;

/**
 * OAuth2 and SMART on FHIR for apps: the authorization server under /oauth2, its sign-in and
 * consent pages, EHR launch, app registration, discovery, and the authenticator that turns an
 * app's access token into an Actor for the FHIR API.
 */
export async function registerOAuth(app: FastifyInstance, options: OAuthOptions): Promise<{ authenticate(authorization: string | undefined): Promise<Actor>; security: ReturnType<typeof smartSecurity> }> {
  const { identity } = options;
  const artifacts = new OAuthArtifacts(options.db);
  const apps = new AppRegistry(options.db, identity.encryption);
  const launches = new LaunchContexts(artifacts);
  const provider = await createAuthorizationServer({
    origin: options.origin,
    fhirBaseUrl: options.fhirBaseUrl,
    accounts: identity.accounts,
    apps,
    launches,
    artifacts,
    accessTokenSeconds: identity.tokens.lifetimeSeconds,
    sessionHours: identity.signIn.sessionHours,
  });
  await mountAuthorizationServer(app, provider);
  registerSmartDiscovery(app, options.origin, options.fhirBase);
  registerInteractionRoutes(app, {
    provider,
    signIn: identity.signIn,
    accounts: identity.accounts,
    apps,
    launches,
    audit: options.audit,
    repositoryFor: options.repositoryFor,
    signInsPerMinute: options.signInsPerMinute,
    fhirBaseUrl: options.fhirBaseUrl,
  });
  registerEhrLaunch(app, { authenticator: identity.authenticator, launches, repositoryFor: options.repositoryFor, fhirBaseUrl: options.fhirBaseUrl });
  registerAppRoutes(app, { authenticator: identity.authenticator, apps, artifacts, audit: options.audit });

  let purge: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    purge = setInterval(() => artifacts.purgeExpired().catch((error) => app.log.error({ err: error }, 'could not purge expired OAuth artifacts')), PURGE_EVERY_MS);
    purge.unref();
  });
  app.addHook('onClose', async () => clearInterval(purge));

  const appTokens = new AppTokenAuthenticator(provider, identity.accounts, apps, options.fhirBaseUrl);
  return {
    security: smartSecurity(options.origin),
    // Staff tokens are JWTs; app tokens are opaque values looked up in the database.
    async authenticate(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token || token.split('.').length === 3) return identity.authenticator.authenticate(authorization);
      if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) throw unauthorized('The access token is not valid or has expired');
      return appTokens.authenticate(token);
    },
  };
}
