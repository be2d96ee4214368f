import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { FieldEncryption } from '../../security/field-encryption.js';
import { NON_RESOURCE_SCOPES } from './smart-scopes.js';
import { isUuid } from '../../db/uuid.js';

/**
 * public: a browser or phone app that cannot keep a secret (PKCE only).
 * confidential: a server-side app, authenticated by a client secret or by a signed JWT (private_key_jwt).
 * backend: a SMART Backend Services client: client_credentials with private_key_jwt, system/ scopes.
 */
export type AppKind = 'public' | 'confidential' | 'backend';

export interface RegisteredApp {
  readonly tenantId: string;
  readonly clientId: string;
  readonly name: string;
  readonly kind: AppKind;
  readonly redirectUris: readonly string[];
  /** Allowed scopes, space separated: every token of the app is narrowed to them. */
  readonly scopes: string;
  readonly authMethod: string;
  readonly jwksUrl?: string;
  readonly status: 'active' | 'disabled';
  readonly createdAt: string;
}

export interface NewApp {
  readonly name: string;
  readonly kind: AppKind;
  readonly redirectUris: readonly string[];
  readonly scopes: string;
  readonly jwks?: { keys: unknown[] };
  readonly jwksUrl?: string;
}

type ClientRow = { tenant_id: string; id: string; name: string; kind: AppKind; metadata: unknown; scopes: string; status: 'active' | 'disabled'; created_at: Date | string };
type Metadata = Record<string, unknown> & { client_secret?: string };

/** The apps a practice's administrators registered, and the only SQL on oauth_client. */
export class AppRegistry {
  /** Apps never move between practices: their practice is remembered once looked up. */
  private readonly tenants = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly encryption: FieldEncryption,
  ) {}

  /** Registers an app; a confidential app without keys gets a client secret, returned only here. */
  async register(tenantId: string, input: NewApp, createdBy: string): Promise<{ app: RegisteredApp; clientSecret?: string }> {
    const clientId = randomUUID();
    const metadata: Metadata = {
      client_name: input.name,
      redirect_uris: [...input.redirectUris],
      // oidc-provider knows only the identity and launch scopes; resource scopes (the `scopes`
      // column) are narrowed by Unichart itself, at consent and on every request.
      ...(input.kind === 'backend' ? {} : { scope: NON_RESOURCE_SCOPES.join(' ') }),
    };
    let clientSecret: string | undefined;
    if (input.kind === 'backend') {
      Object.assign(metadata, { grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'private_key_jwt' });
    } else {
      Object.assign(metadata, { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
      if (input.kind === 'public') metadata.token_endpoint_auth_method = 'none';
      else if (input.jwks || input.jwksUrl) metadata.token_endpoint_auth_method = 'private_key_jwt';
      else {
        clientSecret = randomBytes(32).toString('base64url');
        Object.assign(metadata, { token_endpoint_auth_method: 'client_secret_basic', client_secret: this.encryption.encrypt(clientSecret) });
      }
    }
    if (input.jwks) metadata.jwks = input.jwks;
    if (input.jwksUrl) metadata.jwks_uri = input.jwksUrl;
    const rows = await this.db.query<ClientRow>(
      tenantId,
      `INSERT INTO oauth_client (tenant_id, id, name, kind, metadata, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING tenant_id, id, name, kind, metadata, scopes, status, created_at`,
      [tenantId, clientId, input.name, input.kind, JSON.stringify(metadata), input.scopes, createdBy],
    );
    return { app: toApp(rows[0]!), clientSecret };
  }

  async list(tenantId: string): Promise<RegisteredApp[]> {
    const rows = await this.db.query<ClientRow>(tenantId, 'SELECT tenant_id, id, name, kind, metadata, scopes, status, created_at FROM oauth_client WHERE tenant_id = $1 ORDER BY created_at', [tenantId]);
    return rows.map(toApp);
  }

  /** Disabling an app ends it: its tokens stop working and it can get no new ones. */
  async disable(tenantId: string, clientId: string): Promise<boolean> {
    const rows = await this.db.query(tenantId, "UPDATE oauth_client SET status = 'disabled' WHERE tenant_id = $1 AND id = $2 RETURNING id", [tenantId, clientId]);
    return rows.length > 0;
  }

  /** An active app by client id, from any practice (an app presents only its client id). */
  async findActive(clientId: string): Promise<RegisteredApp | undefined> {
    return (await this.findRow(clientId)).app;
  }

  /** oidc-provider's view of an active app: its metadata, with the client secret in clear. */
  async clientMetadata(clientId: string): Promise<Metadata | undefined> {
    const { metadata, app } = await this.findRow(clientId);
    if (!app || !metadata) return undefined;
    return {
      ...metadata,
      client_id: app.clientId,
      ...(metadata.client_secret ? { client_secret: this.encryption.decrypt(metadata.client_secret) } : {}),
    };
  }

  /** The practice an app belongs to, active or not. */
  async tenantOf(clientId: string): Promise<string | undefined> {
    if (!isUuid(clientId)) return undefined;
    const known = this.tenants.get(clientId);
    if (known) return known;
    const rows = await this.db.asOwner((sql) => sql.query<{ tenant_id: string }>('SELECT tenant_id FROM oauth_client WHERE id = $1', [clientId]));
    const tenantId = rows[0]?.tenant_id;
    if (tenantId) this.tenants.set(clientId, tenantId);
    return tenantId;
  }

  private async findRow(clientId: string): Promise<{ app?: RegisteredApp; metadata?: Metadata }> {
    if (!isUuid(clientId)) return {};
    const rows = await this.db.asOwner((sql) =>
      sql.query<ClientRow>("SELECT tenant_id, id, name, kind, metadata, scopes, status, created_at FROM oauth_client WHERE id = $1 AND status = 'active'", [clientId]),
    );
    const row = rows[0];
    return row ? { app: toApp(row), metadata: parseMetadata(row.metadata) } : {};
  }
}

function parseMetadata(value: unknown): Metadata {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Metadata;
}

function toApp(row: ClientRow): RegisteredApp {
  const metadata = parseMetadata(row.metadata);
  return {
    tenantId: row.tenant_id,
    clientId: row.id,
    name: row.name,
    kind: row.kind,
    redirectUris: (metadata.redirect_uris as string[] | undefined) ?? [],
    scopes: row.scopes,
    authMethod: String(metadata.token_endpoint_auth_method ?? 'none'),
    ...(typeof metadata.jwks_uri === 'string' ? { jwksUrl: metadata.jwks_uri } : {}),
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

