import { FhirError } from '@unichart/fhir';
import type { AccessTokens } from './access-tokens.js';
import type { AccessPolicy } from './access-policy.js';
import type { Account, AccountStore, SessionRestriction } from './account-store.js';
import type { SecuritySettings } from '../practice/security-settings.js';
import type { AuditAgent } from '../audit/audit-record.js';
import type { ResourceScope } from './oauth/smart-scopes.js';

/** Who is making a request, as every access check and audit entry needs it. */
export interface Actor {
  readonly tenantId: string;
  readonly account: Account;
  readonly policy: AccessPolicy;
  readonly sessionId: string;
  /** Set when the request comes from an app with an OAuth access token: what the token allows. */
  readonly app?: AppGrant;
  /** The practice's security switches (care-team restriction, MFA); defaults when absent. */
  readonly settings?: SecuritySettings;
  /** A session that may only enrol a second factor. */
  readonly restriction?: SessionRestriction;
}

/** An app's access token, as every access check needs it. */
export interface AppGrant {
  readonly clientId: string;
  readonly name: string;
  /** The token's resource scopes. */
  readonly scopes: readonly ResourceScope[];
  /** The resource scopes an administrator allowed the app: the token never gets past them. */
  readonly allowed: readonly ResourceScope[];
  /** Launch context: the patient (and encounter) the app works with. */
  readonly patient?: string;
  readonly encounter?: string;
  /** A backend service: no person behind the token, only system/ scopes count. */
  readonly system: boolean;
}

/** Writing last_seen_at on every request would turn each read into a write. */
const TOUCH_AFTER_MS = 30_000;

/**
 * Bearer token to Actor. The token's signature is not enough: the session must still be live
 * in the database (not revoked, not idle, account active), so deactivation takes effect on
 * the very next request.
 */
export class Authenticator {
  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: AccessTokens,
    private readonly idleMinutes: number,
  ) {}

  /**
   * A session restricted to enrolling MFA is refused (403) everywhere except the few routes that
   * pass allowRestricted: enrolment itself, /auth/me and sign-out.
   */
  async authenticate(authorization: string | undefined, options: { allowRestricted?: boolean } = {}): Promise<Actor> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthorized('Sign in first: send Authorization: Bearer <access_token>');
    const claims = await this.tokens.verify(token);
    if (!claims) throw unauthorized('The access token is not valid or has expired');
    const session = await this.accounts.activeSession(claims.tid, claims.sid, this.idleMinutes);
    if (!session || session.account.id !== claims.sub) throw unauthorized('The session has ended; sign in again');
    if (session.restriction === 'mfa-enrolment' && !options.allowRestricted) throw mfaEnrolmentRequired();
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) await this.accounts.touchSession(claims.tid, claims.sid);
    return {
      tenantId: claims.tid,
      account: session.account,
      policy: session.policy,
      sessionId: session.sessionId,
      settings: session.settings,
      ...(session.restriction ? { restriction: session.restriction } : {}),
    };
  }

  /** The signed-in person, who must administer their practice to `what` (403 otherwise). */
  async administrator(authorization: string | undefined, what: string): Promise<Actor> {
    const actor = await this.authenticate(authorization);
    if (!actor.policy.administration) throw new FhirError(403, 'forbidden', `Your role (${actor.account.roleCode}) may not ${what}`);
    return actor;
  }
}

/** The coded reason a restricted session is refused, so a client can send the person to enrolment. */
export function mfaEnrolmentRequired(): FhirError {
  const message =
    'Your practice requires two-step sign-in for your role: enrol an authenticator app (POST /auth/mfa/setup, then POST /auth/mfa/confirm with its code), then sign in again with the code';
  const error = new FhirError(403, 'security', message);
  error.issues[0]!.details = { coding: [{ system: 'https://unichart.dev/fhir/CodeSystem/sign-in-failure', code: 'mfa-enrolment-required' }], text: message };
  return error;
}

export function unauthorized(message: string): FhirError {
  return new FhirError(401, 'login', message);
}

/** How the audit trail names an account. */
export function auditAgentOf(account: Account, app?: AppGrant): AuditAgent {
  return {
    accountId: account.id,
    who: account.fhirUser,
    name: account.displayName || account.email,
    role: account.roleCode,
    ...(app ? { app: { clientId: app.clientId, name: app.name } } : {}),
  };
}
