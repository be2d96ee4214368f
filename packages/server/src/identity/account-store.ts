import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FhirError } from '@unichart/fhir';
import { sqlState, SqlState, type Database } from '../db/database.js';
import { isAccessPolicy, type AccessPolicy, DEFAULT_ROLES } from './access-policy.js';
import { parseSecuritySettings, SECURITY_SETTING_KEY, type SecuritySettings } from '../practice/security-settings.js';

/** A session that may do one thing only: enrol a second factor the practice requires. */
export type SessionRestriction = 'mfa-enrolment';

export interface Account {
  readonly tenantId: string;
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roleCode: string;
  /** The FHIR resource this person is: `Practitioner/…` or `Patient/…`. */
  readonly fhirUser?: string;
  readonly status: 'active' | 'deactivated';
  readonly mfaEnabled: boolean;
}

/** An account as administrators list it: `invitedAt` while an invitation link waits to be accepted. */
export interface ListedAccount extends Account {
  readonly invitedAt?: string;
}

export interface SignInRecord extends Account {
  readonly passwordHash?: string;
  readonly mfaSecret?: string;
  readonly failedSignIns: number;
  readonly lockedUntil?: Date;
}

/** What every authenticated request needs to know, read in one query. */
export interface ActiveSession {
  readonly sessionId: string;
  readonly account: Account;
  readonly policy: AccessPolicy;
  readonly lastSeenAt: Date;
  readonly restriction?: SessionRestriction;
  /** The practice's security switches, read with the session so no request pays another query. */
  readonly settings: SecuritySettings;
}

type AccountRow = {
  tenant_id: string;
  id: string;
  email: string;
  display_name: string;
  role_code: string;
  fhir_user: string | null;
  status: 'active' | 'deactivated';
  mfa_secret: string | null;
  password_hash: string | null;
  failed_sign_ins: number;
  locked_until: Date | string | null;
};

const ACCOUNT_COLUMNS = 'a.tenant_id, a.id, a.email::text AS email, a.display_name, a.role_code, a.fhir_user, a.status, a.mfa_secret, a.password_hash, a.failed_sign_ins, a.locked_until';

function toRecord(row: AccountRow): SignInRecord {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roleCode: row.role_code,
    fhirUser: row.fhir_user ?? undefined,
    status: row.status,
    mfaEnabled: Boolean(row.mfa_secret),
    passwordHash: row.password_hash ?? undefined,
    mfaSecret: row.mfa_secret ?? undefined,
    failedSignIns: Number(row.failed_sign_ins),
    lockedUntil: row.locked_until ? new Date(row.locked_until) : undefined,
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Accounts, roles and sessions: the identity tables, and the only SQL that touches them. */
export class AccountStore {
  constructor(private readonly db: Database) {}

  async seedDefaultRoles(tenantId: string): Promise<void> {
    await this.db.transaction(tenantId, async (sql) => {
      for (const role of DEFAULT_ROLES) {
        await sql.query('INSERT INTO access_role (tenant_id, code, name, policy) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [tenantId, role.code, role.name, JSON.stringify(role.policy)]);
      }
    });
  }

  async listRoles(tenantId: string): Promise<{ code: string; name: string; policy: AccessPolicy }[]> {
    const rows = await this.db.query<{ code: string; name: string; policy: unknown }>(tenantId, 'SELECT code, name, policy FROM access_role WHERE tenant_id = $1 ORDER BY code', [tenantId]);
    return rows.map((r) => ({ code: r.code, name: r.name, policy: parsePolicy(r.policy) }));
  }

  async saveRole(tenantId: string, role: { code: string; name: string; policy: AccessPolicy }): Promise<void> {
    await this.db.query(
      tenantId,
      `INSERT INTO access_role (tenant_id, code, name, policy) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, policy = excluded.policy`,
      [tenantId, role.code, role.name, JSON.stringify(role.policy)],
    );
  }

  async createAccount(tenantId: string, input: { email: string; displayName: string; roleCode: string; passwordHash?: string; fhirUser?: string }): Promise<Account> {
    const id = randomUUID();
    await this.db
      .query(
        tenantId,
        'INSERT INTO user_account (tenant_id, id, email, display_name, role_code, password_hash, fhir_user) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [tenantId, id, input.email, input.displayName, input.roleCode, input.passwordHash ?? null, input.fhirUser ?? null],
      )
      .catch((error: unknown) => {
        // The check before creating can race another request for the same email: the unique index decides.
        throw sqlState(error) === SqlState.uniqueViolation ? new FhirError(409, 'duplicate', 'An account with this email already exists') : error;
      });
    return { tenantId, id, email: input.email, displayName: input.displayName, roleCode: input.roleCode, fhirUser: input.fhirUser, status: 'active', mfaEnabled: false };
  }

  async listAccounts(tenantId: string): Promise<ListedAccount[]> {
    const rows = await this.db.query<AccountRow & { invited_at: Date | string | null }>(
      tenantId,
      `SELECT ${ACCOUNT_COLUMNS}, a.invited_at FROM user_account a WHERE a.tenant_id = $1 ORDER BY a.email`,
      [tenantId],
    );
    return rows.map((row) => {
      const pending = row.invited_at !== null && row.password_hash === null;
      return { ...publicAccount(toRecord(row)), ...(pending ? { invitedAt: new Date(row.invited_at!).toISOString() } : {}) };
    });
  }

  /** Notes when the latest invitation link was made for an account that has no password yet. */
  async markInvited(tenantId: string, id: string, at: Date): Promise<void> {
    await this.db.query(tenantId, 'UPDATE user_account SET invited_at = $3 WHERE tenant_id = $1 AND id = $2 AND password_hash IS NULL', [tenantId, id, at.toISOString()]);
  }

  /** When the latest staff invitation link was made; undefined for accounts never invited so (portal invitations). */
  async invitedAt(tenantId: string, id: string): Promise<Date | undefined> {
    const rows = await this.db.query<{ invited_at: Date | string | null }>(tenantId, 'SELECT invited_at FROM user_account WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return rows[0]?.invited_at ? new Date(rows[0].invited_at) : undefined;
  }

  async findAccount(tenantId: string, id: string): Promise<SignInRecord | undefined> {
    const rows = await this.db.query<AccountRow>(tenantId, `SELECT ${ACCOUNT_COLUMNS} FROM user_account a WHERE a.tenant_id = $1 AND a.id = $2`, [tenantId, id]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Sign-in comes before we know the practice: the one lookup that reads across practices. */
  async findByEmail(email: string): Promise<SignInRecord | undefined> {
    const rows = await this.db.asOwner((sql) => sql.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM user_account a WHERE a.email = $1`, [email]));
    return rows[0] && toRecord(rows[0]);
  }

  async recordFailedSignIn(account: SignInRecord, lockAfter: number, lockMinutes: number): Promise<void> {
    await this.db.query(
      account.tenantId,
      `UPDATE user_account SET failed_sign_ins = failed_sign_ins + 1,
         locked_until = CASE WHEN failed_sign_ins + 1 >= $3 THEN now() + make_interval(mins => $4) ELSE locked_until END
       WHERE tenant_id = $1 AND id = $2`,
      [account.tenantId, account.id, lockAfter, lockMinutes],
    );
  }

  /** The name of the sign-in service the practice requires its staff to use, if any. */
  async requiredSingleSignOn(tenantId: string): Promise<string | undefined> {
    const rows = await this.db.query<{ name: string }>(tenantId, 'SELECT name FROM sso_provider WHERE tenant_id = $1 AND required AND enabled LIMIT 1', [tenantId]);
    return rows[0]?.name;
  }

  async recordSuccessfulSignIn(account: SignInRecord): Promise<void> {
    await this.db.query(account.tenantId, 'UPDATE user_account SET failed_sign_ins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2', [account.tenantId, account.id]);
  }

  async setPassword(tenantId: string, id: string, passwordHash: string): Promise<void> {
    await this.db.query(tenantId, 'UPDATE user_account SET password_hash = $3, failed_sign_ins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2', [tenantId, id, passwordHash]);
  }

  /**
   * The password chosen through an invitation link: only while the account still has none and the
   * link is the latest one sent (`invitedAt`), so two uses of one link cannot both set it.
   */
  async setInvitedPassword(tenantId: string, id: string, passwordHash: string, invitedAt: Date | undefined): Promise<boolean> {
    const set = await this.db.query(
      tenantId,
      `UPDATE user_account SET password_hash = $3, failed_sign_ins = 0, locked_until = NULL
       WHERE tenant_id = $1 AND id = $2 AND password_hash IS NULL AND status = 'active' AND invited_at IS NOT DISTINCT FROM $4::timestamptz
       RETURNING id`,
      [tenantId, id, passwordHash, invitedAt?.toISOString() ?? null],
    );
    return set.length === 1;
  }

  /** `usedStep`: the time step of the code that confirmed the enrolment, which may not sign in again. */
  async setMfaSecret(tenantId: string, id: string, encryptedSecret: string | null, usedStep: number | null = null): Promise<void> {
    await this.db.query(tenantId, 'UPDATE user_account SET mfa_secret = $3, mfa_last_step = $4 WHERE tenant_id = $1 AND id = $2', [tenantId, id, encryptedSecret, usedStep]);
  }

  /**
   * Takes an authenticator time step for one sign-in: false when it, or a later one, was used
   * already (a code seen over someone's shoulder, or sent twice). One conditional UPDATE, so two
   * sign-ins racing with the same code cannot both win.
   */
  async claimMfaStep(tenantId: string, id: string, step: number): Promise<boolean> {
    const claimed = await this.db.query(
      tenantId,
      'UPDATE user_account SET mfa_last_step = $3 WHERE tenant_id = $1 AND id = $2 AND (mfa_last_step IS NULL OR mfa_last_step < $3) RETURNING id',
      [tenantId, id, step],
    );
    return claimed.length === 1;
  }

  /** Deactivation and revocation of every session commit together: no old token works after. */
  async deactivate(tenantId: string, id: string): Promise<boolean> {
    return this.db.transaction(tenantId, async (sql) => {
      const updated = await sql.query("UPDATE user_account SET status = 'deactivated' WHERE tenant_id = $1 AND id = $2 RETURNING id", [tenantId, id]);
      await sql.query('UPDATE user_session SET revoked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL', [tenantId, id]);
      // Apps' grants, codes, access and refresh tokens issued to the person go with the sessions.
      await sql.query('DELETE FROM oauth_artifact WHERE tenant_id = $1 AND account_id = $2', [tenantId, id]);
      return updated.length > 0;
    });
  }

  async reactivate(tenantId: string, id: string): Promise<void> {
    await this.db.query(tenantId, "UPDATE user_account SET status = 'active', failed_sign_ins = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2", [tenantId, id]);
  }

  /** A new session; the refresh token is returned once and stored only as a hash. */
  async openSession(account: Account, lifetimeHours: number, restriction?: SessionRestriction): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    const refreshToken = randomBytes(32).toString('base64url');
    await this.db.query(
      account.tenantId,
      `INSERT INTO user_session (tenant_id, id, user_id, expires_at, refresh_hash, restriction) VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5, $6)`,
      [account.tenantId, sessionId, account.id, lifetimeHours, hashToken(refreshToken), restriction ?? null],
    );
    return { sessionId, refreshToken };
  }

  /** The live session behind a token, or undefined if revoked, expired, idle too long (the practice's time, else idleMinutes) or its account is off. */
  async activeSession(tenantId: string, sessionId: string, idleMinutes: number): Promise<ActiveSession | undefined> {
    // Runs on every request: prepared once per connection.
    const rows = await this.db.prepared<AccountRow & { session_id: string; last_seen_at: Date | string; policy: unknown; restriction: SessionRestriction | null; settings: unknown }>(
      tenantId,
      'unichart_active_session_v3',
      `SELECT ${ACCOUNT_COLUMNS}, s.id AS session_id, s.last_seen_at, s.restriction, r.policy, ps.value AS settings
       FROM user_session s JOIN user_account a ON a.tenant_id = s.tenant_id AND a.id = s.user_id
       JOIN access_role r ON r.tenant_id = a.tenant_id AND r.code = a.role_code
       LEFT JOIN practice_setting ps ON ps.tenant_id = s.tenant_id AND ps.key = '${SECURITY_SETTING_KEY}'
       WHERE s.tenant_id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
         AND s.last_seen_at > now() - make_interval(mins => COALESCE(CASE WHEN ps.value->>'idleMinutes' ~ '^[0-9]{1,3}$' THEN least((ps.value->>'idleMinutes')::int, 480) END, $3)) AND a.status = 'active'`,
      [tenantId, sessionId, idleMinutes],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      sessionId: row.session_id,
      account: publicAccount(toRecord(row)),
      policy: parsePolicy(row.policy),
      lastSeenAt: new Date(row.last_seen_at),
      ...(row.restriction ? { restriction: row.restriction } : {}),
      settings: parseSecuritySettings(row.settings),
    };
  }

  /**
   * An active account with its role's policy, for a request made with an app's token (which
   * names the account, not a session): a deactivated account fails at once.
   */
  async activeAccount(tenantId: string, id: string): Promise<{ account: Account; policy: AccessPolicy; settings: SecuritySettings } | undefined> {
    const rows = await this.db.prepared<AccountRow & { policy: unknown; settings: unknown }>(
      tenantId,
      'unichart_active_account_v2',
      `SELECT ${ACCOUNT_COLUMNS}, r.policy, ps.value AS settings FROM user_account a JOIN access_role r ON r.tenant_id = a.tenant_id AND r.code = a.role_code
       LEFT JOIN practice_setting ps ON ps.tenant_id = a.tenant_id AND ps.key = '${SECURITY_SETTING_KEY}'
       WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'active'`,
      [tenantId, id],
    );
    const row = rows[0];
    return row && { account: publicAccount(toRecord(row)), policy: parsePolicy(row.policy), settings: parseSecuritySettings(row.settings) };
  }

  /** Whether the practice requires a second factor of this account's role (read at sign-in, when nothing else is known). */
  async mfaDemanded(tenantId: string, roleCode: string): Promise<boolean> {
    const rows = await this.db.query<{ policy: unknown; settings: unknown }>(
      tenantId,
      `SELECT r.policy, ps.value AS settings FROM access_role r
       LEFT JOIN practice_setting ps ON ps.tenant_id = r.tenant_id AND ps.key = '${SECURITY_SETTING_KEY}'
       WHERE r.tenant_id = $1 AND r.code = $2`,
      [tenantId, roleCode],
    );
    const row = rows[0];
    return Boolean(row && parsePolicy(row.policy).requiresMfa && parseSecuritySettings(row.settings).mfaRequired);
  }

  /** The practice of an account, by its id alone (ids are unique across practices). */
  async tenantOfAccount(id: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
    const rows = await this.db.asOwner((sql) => sql.query<{ tenant_id: string }>('SELECT tenant_id FROM user_account WHERE id = $1', [id]));
    return rows[0]?.tenant_id;
  }

  async touchSession(tenantId: string, sessionId: string): Promise<void> {
    await this.db.query(tenantId, 'UPDATE user_session SET last_seen_at = now() WHERE tenant_id = $1 AND id = $2', [tenantId, sessionId]);
  }

  async findSessionByRefresh(refreshToken: string): Promise<{ tenantId: string; sessionId: string } | undefined> {
    const rows = await this.db.asOwner((sql) =>
      sql.query<{ tenant_id: string; id: string }>('SELECT tenant_id, id FROM user_session WHERE refresh_hash = $1 AND revoked_at IS NULL AND expires_at > now()', [hashToken(refreshToken)]),
    );
    return rows[0] && { tenantId: rows[0].tenant_id, sessionId: rows[0].id };
  }

  /** Refresh tokens rotate: each use replaces the stored hash, so a stolen old one fails. */
  async rotateRefresh(tenantId: string, sessionId: string): Promise<string> {
    const refreshToken = randomBytes(32).toString('base64url');
    await this.db.query(tenantId, 'UPDATE user_session SET refresh_hash = $3, last_seen_at = now() WHERE tenant_id = $1 AND id = $2', [tenantId, sessionId, hashToken(refreshToken)]);
    return refreshToken;
  }

  async revokeSession(tenantId: string, sessionId: string): Promise<void> {
    await this.db.query(tenantId, 'UPDATE user_session SET revoked_at = now() WHERE tenant_id = $1 AND id = $2', [tenantId, sessionId]);
  }

  /** The token signing key every server copy shares, created by whichever starts first. */
  async platformSecret(name: string, create: () => string | Promise<string> = () => randomBytes(32).toString('base64url')): Promise<string> {
    const existing = await this.db.asOwner((sql) => sql.query<{ value: string }>('SELECT value FROM platform_secret WHERE name = $1', [name]));
    if (existing[0]) return existing[0].value;
    const value = await create();
    return this.db.asOwner(async (sql) => {
      await sql.query('INSERT INTO platform_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
      const rows = await sql.query<{ value: string }>('SELECT value FROM platform_secret WHERE name = $1', [name]);
      return rows[0]!.value;
    });
  }
}

function publicAccount(record: SignInRecord): Account {
  const { tenantId, id, email, displayName, roleCode, fhirUser, status, mfaEnabled } = record;
  return { tenantId, id, email, displayName, roleCode, fhirUser, status, mfaEnabled };
}

function parsePolicy(value: unknown): AccessPolicy {
  const policy = typeof value === 'string' ? JSON.parse(value) : value;
  return isAccessPolicy(policy) ? policy : { rules: [] };
}
