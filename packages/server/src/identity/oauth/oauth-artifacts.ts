import type { Database } from '../../db/database.js';

/** What oidc-provider stores of one artifact (session, grant, code, token, interaction...). */
export type ArtifactPayload = Record<string, unknown> & {
  clientId?: string;
  accountId?: string;
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: unknown;
};

/** Artifacts made before anyone signed in belong to no practice yet. */
export const NO_PRACTICE = '00000000-0000-0000-0000-000000000000';

type ArtifactRow = { payload: unknown; consumed_at: Date | string | null };

/**
 * The rows behind oidc-provider's adapter. Writes are scoped to the artifact's practice (row-level
 * security checks them); lookups by the value an app or browser presents come before the
 * practice is known, so they run as the owner, as refresh-token and email lookups do.
 */
export class OAuthArtifacts {
  constructor(private readonly db: Database) {}

  async upsert(tenantId: string, model: string, id: string, payload: ArtifactPayload, expiresInSeconds: number | undefined): Promise<void> {
    const params = [
      tenantId, model, id, JSON.stringify(payload), payload.clientId ?? null, payload.accountId ?? null, payload.grantId ?? null,
      payload.uid ?? null, payload.userCode ?? null, expiresInSeconds ?? null,
    ];
    const statement = `INSERT INTO oauth_artifact (tenant_id, model, id, payload, client_id, account_id, grant_id, uid, user_code, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10::int IS NULL THEN NULL ELSE now() + make_interval(secs => $10::int) END)
       ON CONFLICT (tenant_id, model, id) DO UPDATE SET payload = excluded.payload, client_id = excluded.client_id, account_id = excluded.account_id,
         grant_id = excluded.grant_id, uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`;
    if (tenantId === NO_PRACTICE) await this.db.asOwner((sql) => sql.query(statement, params));
    else await this.db.query(tenantId, statement, params);
  }

  find(model: string, id: string): Promise<ArtifactPayload | undefined> {
    return this.findWhere(model, 'id', id);
  }

  findByUid(model: string, uid: string): Promise<ArtifactPayload | undefined> {
    return this.findWhere(model, 'uid', uid);
  }

  findByUserCode(model: string, userCode: string): Promise<ArtifactPayload | undefined> {
    return this.findWhere(model, 'user_code', userCode);
  }

  /** The practice an artifact belongs to (undefined when there is none). */
  async tenantOf(model: string, id: string): Promise<string | undefined> {
    const rows = await this.db.asOwner((sql) => sql.query<{ tenant_id: string }>('SELECT tenant_id FROM oauth_artifact WHERE model = $1 AND id = $2', [model, id]));
    return rows[0]?.tenant_id;
  }

  async consume(model: string, id: string): Promise<void> {
    await this.db.asOwner((sql) => sql.query('UPDATE oauth_artifact SET consumed_at = now() WHERE model = $1 AND id = $2', [model, id]));
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.db.asOwner((sql) => sql.query('DELETE FROM oauth_artifact WHERE model = $1 AND id = $2', [model, id]));
  }

  /** Everything issued under one grant (tokens, codes, launch context). */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.asOwner((sql) => sql.query('DELETE FROM oauth_artifact WHERE grant_id = $1', [grantId]));
  }

  /** Every grant, code, token and session of an account (deactivation). */
  async revokeAccount(tenantId: string, accountId: string): Promise<void> {
    await this.db.query(tenantId, 'DELETE FROM oauth_artifact WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
  }

  /** Everything issued to an app (the app was disabled). */
  async revokeClient(tenantId: string, clientId: string): Promise<void> {
    await this.db.query(tenantId, 'DELETE FROM oauth_artifact WHERE tenant_id = $1 AND client_id = $2', [tenantId, clientId]);
  }

  /** Expired artifacts are useless: lookups already ignore them; this reclaims the space. */
  async purgeExpired(): Promise<void> {
    await this.db.asOwner((sql) => sql.query("DELETE FROM oauth_artifact WHERE expires_at < now() - interval '1 hour'"));
  }

  private async findWhere(model: string, column: 'id' | 'uid' | 'user_code', value: string): Promise<ArtifactPayload | undefined> {
    const rows = await this.db.asOwner((sql) =>
      sql.query<ArtifactRow>(
        `SELECT payload, consumed_at FROM oauth_artifact WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > now())`,
        [model, value],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as ArtifactPayload;
    return row.consumed_at ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) } : payload;
  }
}
