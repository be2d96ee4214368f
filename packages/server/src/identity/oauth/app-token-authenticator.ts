import type Provider from 'oidc-provider';
import type { AccountStore } from '../account-store.js';
import { unauthorized, type Actor } from '../authenticator.js';
import type { AppRegistry } from './app-registry.js';
import { parseScopes } from './smart-scopes.js';

/** Backend services act with no role of their own: their reach is the scopes alone. */
const SYSTEM_POLICY = { rules: [{ resourceTypes: ['*'], interactions: ['read', 'search', 'history', 'create', 'update', 'delete'] as const }] };

/**
 * An app's OAuth access token to Actor. The token is looked up in the database on every request,
 * and so are the app (a disabled app's tokens fail) and the person it acts for (a deactivated
 * account's tokens fail on the next request, as staff tokens do).
 */
export class AppTokenAuthenticator {
  constructor(
    private readonly provider: Provider,
    private readonly accounts: AccountStore,
    private readonly apps: AppRegistry,
    private readonly fhirBaseUrl: string,
  ) {}

  async authenticate(token: string): Promise<Actor> {
    const issued = (await this.provider.AccessToken.find(token)) ?? (await this.provider.ClientCredentials.find(token));
    if (!issued || issued.isExpired || !issued.clientId) throw unauthorized('The access token is not valid or has expired');
    if (issued.aud !== this.fhirBaseUrl) throw unauthorized(`The access token was not issued for ${this.fhirBaseUrl}`);
    const app = await this.apps.findActive(issued.clientId);
    if (!app) throw unauthorized('The app this token was issued to has been disabled');
    const extra = (issued.extra ?? {}) as { patient?: unknown; encounter?: unknown };
    const grant = {
      clientId: app.clientId,
      name: app.name,
      scopes: parseScopes(issued.scope).resources,
      allowed: parseScopes(app.scopes).resources,
      ...(typeof extra.patient === 'string' ? { patient: extra.patient } : {}),
      ...(typeof extra.encounter === 'string' ? { encounter: extra.encounter } : {}),
    };
    if (issued.kind === 'ClientCredentials') {
      const account = { tenantId: app.tenantId, id: app.clientId, email: '', displayName: app.name, roleCode: 'system', status: 'active' as const, mfaEnabled: false };
      return { tenantId: app.tenantId, account, policy: SYSTEM_POLICY, sessionId: issued.jti, app: { ...grant, system: true } };
    }
    const accountId = 'accountId' in issued ? issued.accountId : undefined;
    const active = accountId ? await this.accounts.activeAccount(app.tenantId, accountId) : undefined;
    if (!active) throw unauthorized('The account this token was issued for is no longer active');
    return { tenantId: app.tenantId, account: active.account, policy: active.policy, settings: active.settings, sessionId: issued.jti, app: { ...grant, system: false } };
  }
}
