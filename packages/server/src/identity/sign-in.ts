import { verify as verifyTotp } from 'otplib';
import { FhirError } from '@unichart/fhir';
import type { FieldEncryption } from '../security/field-encryption.js';
import type { AccessTokens } from './access-tokens.js';
import type { AccountStore, SignInRecord } from './account-store.js';
import { decoyHash, verifyPassword } from './passwords.js';

export interface SignInPolicy {
  /** Failed attempts before the account locks. */
  readonly lockAfter: number;
  readonly lockMinutes: number;
  /** How long a session may be refreshed before the person signs in again. */
  readonly sessionHours: number;
  /** A session unused this long is over (staff default: 15 minutes). */
  readonly idleMinutes: number;
}

/**
 * A code from the step before or after the current one is still taken (a clock a little off, a
 * code typed as it turned over); each step signs in once (AccountStore.claimMfaStep).
 */
const TOTP_TOLERANCE_SECONDS = 30;

/** The time step an authenticator code belongs to, or undefined when it is not a current code. */
export async function authenticatorCodeStep(secret: string, code: string): Promise<number | undefined> {
  const result = await verifyTotp({ secret, token: code, epochTolerance: TOTP_TOLERANCE_SECONDS });
  // otplib types the result for HOTP and TOTP alike; a TOTP check always says its time step.
  return result.valid && 'timeStep' in result && typeof result.timeStep === 'number' ? result.timeStep : undefined;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = { lockAfter: 5, lockMinutes: 15, sessionHours: 12, idleMinutes: 15 };

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
}

/**
 * The answer to a correct password when the practice requires a second factor the person has
 * not enrolled: a token good only for enrolling one (no refresh token), and what to do next.
 */
export interface EnrolmentResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly mfa_enrolment_required: true;
  readonly message: string;
}

const ENROLMENT_MESSAGE =
  'Your practice requires two-step sign-in for your role. This token may only enrol an authenticator app: POST /auth/mfa/setup, then POST /auth/mfa/confirm with the secret and a current code; then sign in again with the code.';

export type SignInFailure = 'invalid-credentials' | 'locked' | 'mfa-required' | 'mfa-invalid' | 'mfa-enrolment-required' | 'sso-required';

/** The code system of `issue.details` on a failed sign-in, so a client can tell "ask for the code" from "wrong password". */
export const SIGN_IN_FAILURE_SYSTEM = 'https://unichart.dev/fhir/CodeSystem/sign-in-failure';

export class SignInError extends FhirError {
  constructor(readonly reason: SignInFailure, message: string, readonly account?: SignInRecord) {
    super(401, 'login', message);
    this.issues[0]!.details = { coding: [{ system: SIGN_IN_FAILURE_SYSTEM, code: reason }], text: message };
  }
}

/** Email and password (and a TOTP code when the account has MFA) in, a session's tokens out. */
export class SignIn {
  constructor(
    private readonly accounts: AccountStore,
    private readonly tokens: AccessTokens,
    private readonly encryption: FieldEncryption,
    private readonly policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY,
  ) {}

  /** How long a session lasts before the person signs in again. */
  get sessionHours(): number {
    return this.policy.sessionHours;
  }

  async withPassword(email: string, password: string, totp?: string): Promise<{ tokens: TokenResponse | EnrolmentResponse; account: SignInRecord }> {
    try {
      const account = await this.verifyCredentials(email, password, totp);
      return { tokens: await this.openSession(account), account };
    } catch (error) {
      // The password was right: rather than lock the person out, let them enrol the factor now.
      if (!(error instanceof SignInError && error.reason === 'mfa-enrolment-required' && error.account)) throw error;
      const account = error.account;
      await this.accounts.recordSuccessfulSignIn(account);
      const { sessionId } = await this.accounts.openSession(account, 1, 'mfa-enrolment');
      const access = await this.tokens.sign({ sub: account.id, tid: account.tenantId, sid: sessionId });
      return { tokens: { access_token: access, token_type: 'Bearer', expires_in: this.tokens.lifetimeSeconds, mfa_enrolment_required: true, message: ENROLMENT_MESSAGE }, account };
    }
  }

  /**
   * The checks of a sign-in (password, lockout, active account, second factor) without opening
   * a session: the OAuth sign-in page uses them too, so apps' users meet the same rules.
   */
  async verifyCredentials(email: string, password: string, totp?: string): Promise<SignInRecord> {
    const account = await this.accounts.findByEmail(email);
    if (!account?.passwordHash) {
      await verifyPassword(await decoyHash(), password);
      throw new SignInError('invalid-credentials', 'The email or password is not right');
    }
    if (account.lockedUntil && account.lockedUntil > new Date()) {
      throw new SignInError('locked', `Too many failed attempts: the account is locked until ${account.lockedUntil.toISOString()}`, account);
    }
    if (!(await verifyPassword(account.passwordHash, password))) {
      await this.accounts.recordFailedSignIn(account, this.policy.lockAfter, this.policy.lockMinutes);
      throw new SignInError('invalid-credentials', 'The email or password is not right', account);
    }
    if (account.status !== 'active') throw new SignInError('invalid-credentials', 'This account has been deactivated', account);
    // Where the practice requires its own sign-in service, a password is only the administrators' way back in.
    const required = account.roleCode === 'administrator' ? undefined : await this.accounts.requiredSingleSignOn(account.tenantId);
    if (required) throw new SignInError('sso-required', `Your practice signs in through ${required}: use that button on the sign-in page`, account);
    if (account.mfaSecret) {
      if (!totp) throw new SignInError('mfa-required', 'Enter the 6-digit code from your authenticator app (field "totp")', account);
      const step = await authenticatorCodeStep(this.encryption.decrypt(account.mfaSecret), totp);
      if (step === undefined) {
        await this.accounts.recordFailedSignIn(account, this.policy.lockAfter, this.policy.lockMinutes);
        throw new SignInError('mfa-invalid', 'The authenticator code is not right', account);
      }
      if (!(await this.accounts.claimMfaStep(account.tenantId, account.id, step))) {
        await this.accounts.recordFailedSignIn(account, this.policy.lockAfter, this.policy.lockMinutes);
        throw new SignInError('mfa-invalid', 'This authenticator code has been used already: wait for the next one', account);
      }
    } else if (await this.accounts.mfaDemanded(account.tenantId, account.roleCode)) {
      throw new SignInError('mfa-enrolment-required', 'Your practice requires two-step sign-in for your role: sign in to Unichart to enrol an authenticator app first', account);
    }
    await this.accounts.recordSuccessfulSignIn(account);
    return account;
  }

  async withRefreshToken(refreshToken: string): Promise<TokenResponse> {
    const session = await this.accounts.findSessionByRefresh(refreshToken);
    const active = session && (await this.accounts.activeSession(session.tenantId, session.sessionId, this.policy.idleMinutes));
    if (!session || !active || active.restriction) throw new SignInError('invalid-credentials', 'The refresh token is not valid; sign in again');
    const rotated = await this.accounts.rotateRefresh(session.tenantId, session.sessionId);
    const access = await this.tokens.sign({ sub: active.account.id, tid: session.tenantId, sid: session.sessionId });
    return { access_token: access, token_type: 'Bearer', expires_in: this.tokens.lifetimeSeconds, refresh_token: rotated };
  }

  /** A session for a person already identified (by the password checks here, or by single sign-on). */
  async openSession(account: SignInRecord): Promise<TokenResponse> {
    const { sessionId, refreshToken } = await this.accounts.openSession(account, this.policy.sessionHours);
    const access = await this.tokens.sign({ sub: account.id, tid: account.tenantId, sid: sessionId });
    return { access_token: access, token_type: 'Bearer', expires_in: this.tokens.lifetimeSeconds, refresh_token: refreshToken };
  }
}
