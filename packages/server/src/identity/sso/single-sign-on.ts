import { randomUUID } from 'node:crypto';
import { badRequest, FhirError, notFound } from '@unichart/fhir';
import * as oidc from 'openid-client';
import type { Database } from '../../db/database.js';
import { isUuid } from '../../db/uuid.js';
import type { Identity } from '../identity.js';
import type { SignInRecord } from '../account-store.js';
import type { TokenResponse } from '../sign-in.js';

export interface SsoProviderInput {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The ID-token claim that carries the person's groups or roles, e.g. `groups`. */
  readonly roleClaim?: string;
  /** Claim value to Unichart role code, e.g. {"clinic-doctors": "physician"}. */
  readonly roleMap?: Record<string, string>;
  /** Staff other than administrators may then sign in only through this provider. */
  readonly required?: boolean;
}

export interface SsoProvider extends Omit<SsoProviderInput, 'clientSecret'> {
  readonly id: string;
  readonly tenantId: string;
  readonly enabled: boolean;
}

type ProviderRow = {
  tenant_id: string;
  id: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret: string;
  role_claim: string | null;
  role_map: Record<string, string>;
  required: boolean;
  enabled: boolean;
};

const SIGN_IN_MINUTES = 10;

/**
 * Staff sign in through the practice's own OpenID Connect provider (Entra ID, Okta, Google
 * Workspace, Keycloak). The protocol is openid-client's (authorization code with PKCE, state and
 * nonce, ID token checks); ours is mapping the person to an account: by the provider's subject
 * once known, else by email; the role follows the provider's groups when the practice maps
 * them, and a mapped newcomer gets an account. A deactivated account stays out.
 */
export class SingleSignOn {
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly db: Database,
    private readonly identity: Identity,
    /** Where the provider sends the browser back: `<origin>/auth/sso/callback`. */
    private readonly callbackUrl: string,
  ) {}

  async save(tenantId: string, input: SsoProviderInput, id: string = randomUUID()): Promise<SsoProvider> {
    const roles = new Set((await this.identity.accounts.listRoles(tenantId)).map((r) => r.code));
    for (const role of Object.values(input.roleMap ?? {})) if (!roles.has(role)) throw badRequest(`roleMap names an unknown role: ${role}`, 'roleMap');
    await this.db.query(
      tenantId,
      `INSERT INTO sso_provider (tenant_id, id, name, issuer, client_id, client_secret, role_claim, role_map, required)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id, id) DO UPDATE SET name = $3, issuer = $4, client_id = $5, client_secret = $6, role_claim = $7, role_map = $8, required = $9, enabled = true`,
      [tenantId, id, input.name, input.issuer, input.clientId, this.identity.encryption.encrypt(input.clientSecret), input.roleClaim ?? null, JSON.stringify(input.roleMap ?? {}), input.required ?? false],
    );
    this.configurations.delete(id);
    return { id, tenantId, name: input.name, issuer: input.issuer, clientId: input.clientId, roleClaim: input.roleClaim, roleMap: input.roleMap ?? {}, required: input.required ?? false, enabled: true };
  }

  async list(tenantId: string): Promise<SsoProvider[]> {
    const rows = await this.db.query<ProviderRow>(tenantId, 'SELECT * FROM sso_provider WHERE tenant_id = $1 ORDER BY name', [tenantId]);
    return rows.map(publicProvider);
  }

  async disable(tenantId: string, id: string): Promise<void> {
    const rows = await this.db.query(tenantId, 'UPDATE sso_provider SET enabled = false, required = false WHERE tenant_id = $1 AND id = $2 RETURNING 1', [tenantId, id]);
    if (rows.length === 0) throw notFound(`No single sign-on provider ${id}`);
    this.configurations.delete(id);
  }

  /** The sign-in buttons: every enabled provider, with its practice (public: names only). */
  async choices(): Promise<{ id: string; name: string; practice: string }[]> {
    return this.db.asOwner((sql) =>
      sql.query<{ id: string; name: string; practice: string }>(
        'SELECT p.id, p.name, pr.name AS practice FROM sso_provider p JOIN practice pr ON pr.id = p.tenant_id WHERE p.enabled ORDER BY pr.name, p.name',
      ),
    );
  }

  /** The provider's authorization URL for a new sign-in. */
  async start(providerId: string): Promise<string> {
    const provider = await this.provider(providerId);
    const config = await this.configuration(provider);
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    // The practice travels in the state, so the way back finds the sign-in under its own row-level security.
    const state = `${provider.tenant_id}.${oidc.randomState()}`;
    await this.db.query(
      provider.tenant_id,
      `INSERT INTO sso_sign_in (tenant_id, state, provider_id, code_verifier, nonce, expires_at) VALUES ($1, $2, $3, $4, $5, now() + interval '${SIGN_IN_MINUTES} minutes')`,
      [provider.tenant_id, state, provider.id, verifier, nonce],
    );
    return oidc
      .buildAuthorizationUrl(config, {
        redirect_uri: this.callbackUrl,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      })
      .toString();
  }

  /** The way back from the provider: checks everything, maps the person, opens a session. */
  async finish(currentUrl: URL): Promise<{ tokens: TokenResponse; account: SignInRecord; provider: string }> {
    const state = currentUrl.searchParams.get('state') ?? '';
    const tenantId = practiceOfState(state);
    if (!tenantId) throw badRequest('This sign-in link is not valid; start again');
    const [pending] = await this.db.query<{ provider_id: string; code_verifier: string; nonce: string }>(
      tenantId,
      'DELETE FROM sso_sign_in WHERE tenant_id = $1 AND state = $2 AND expires_at > now() RETURNING provider_id, code_verifier, nonce',
      [tenantId, state],
    );
    if (!pending) throw badRequest('This sign-in has expired or was already used; start again');
    const provider = await this.provider(pending.provider_id);
    const config = await this.configuration(provider);
    let claims: oidc.IDToken;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: pending.code_verifier, expectedState: state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = tokens.claims()!;
    } catch (error) {
      throw new FhirError(401, 'login', `${provider.name} did not confirm the sign-in: ${(error as Error).message}`);
    }
    const account = await this.accountFor(provider, claims);
    await this.identity.accounts.recordSuccessfulSignIn(account);
    return { tokens: await this.identity.signIn.openSession(account), account, provider: provider.name };
  }

  private async accountFor(provider: ProviderRow, claims: oidc.IDToken): Promise<SignInRecord> {
    const tenantId = provider.tenant_id;
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
    const mappedRole = mapRole(provider, claims);
    const [linked] = await this.db.query<{ account_id: string }>(tenantId, 'SELECT account_id FROM sso_identity WHERE tenant_id = $1 AND provider_id = $2 AND subject = $3', [
      tenantId,
      provider.id,
      claims.sub,
    ]);
    // A first sign-in is matched to an account by email: an address the provider says it has not
    // verified could be anyone's (a self-registered user naming the administrator's address).
    // Providers that do not send the claim (Entra ID) vouch for the address by sending it.
    if (!linked && email && claims.email_verified === false) {
      throw new FhirError(403, 'forbidden', `${provider.name} has not verified ${email}; verify the address there, or ask your administrator`);
    }
    let account = linked ? await this.identity.accounts.findAccount(tenantId, linked.account_id) : email ? await this.identity.accounts.findByEmail(email) : undefined;
    if (account && account.tenantId !== tenantId) throw new FhirError(403, 'forbidden', `${email} belongs to another practice`);
    if (!account) {
      if (!email || !mappedRole) throw new FhirError(403, 'forbidden', `There is no Unichart account for ${email ?? claims.sub}; ask your administrator`);
      const name = typeof claims.name === 'string' ? claims.name : email;
      const created = await this.identity.accounts.createAccount(tenantId, { email, displayName: name, roleCode: mappedRole });
      account = (await this.identity.accounts.findAccount(tenantId, created.id))!;
    } else if (mappedRole && mappedRole !== account.roleCode) {
      // The provider's groups are the source of truth for the role where the practice maps them.
      await this.db.query(tenantId, 'UPDATE user_account SET role_code = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, account.id, mappedRole]);
      account = (await this.identity.accounts.findAccount(tenantId, account.id))!;
    }
    if (account.status !== 'active') throw new FhirError(403, 'forbidden', 'This account has been deactivated');
    if (!linked) {
      await this.db.query(tenantId, 'INSERT INTO sso_identity (tenant_id, provider_id, subject, account_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [tenantId, provider.id, claims.sub, account.id]);
    }
    return account;
  }

  private async provider(id: string): Promise<ProviderRow> {
    if (!isUuid(id)) throw notFound(`No single sign-on provider ${id}`);
    const [row] = await this.db.asOwner((sql) => sql.query<ProviderRow>('SELECT * FROM sso_provider WHERE id = $1 AND enabled', [id]));
    if (!row) throw notFound(`No single sign-on provider ${id}`);
    return row;
  }

  private configuration(provider: ProviderRow): Promise<oidc.Configuration> {
    let config = this.configurations.get(provider.id);
    if (!config) {
      const issuer = new URL(provider.issuer);
      // Plain http only to a provider on this machine (development and tests).
      const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      config = oidc.discovery(issuer, provider.client_id, this.identity.encryption.decrypt(provider.client_secret), undefined, local ? { execute: [oidc.allowInsecureRequests] } : undefined);
      config.catch(() => this.configurations.delete(provider.id));
      this.configurations.set(provider.id, config);
    }
    return config;
  }
}

function mapRole(provider: ProviderRow, claims: oidc.IDToken): string | undefined {
  if (!provider.role_claim) return undefined;
  const value = claims[provider.role_claim];
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) if (typeof v === 'string' && provider.role_map[v]) return provider.role_map[v];
  return undefined;
}

function publicProvider(row: ProviderRow): SsoProvider {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    roleClaim: row.role_claim ?? undefined,
    roleMap: row.role_map,
    required: row.required,
    enabled: row.enabled,
  };
}

/** The practice a sign-in's `state` (`<practice id>.<random>`) names, when it is well formed. */
export function practiceOfState(state: string): string | undefined {
  const practiceId = /^([^.]+)\./.exec(state)?.[1];
  return practiceId && isUuid(practiceId) ? practiceId : undefined;
}
