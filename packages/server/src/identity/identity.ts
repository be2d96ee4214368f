import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { FieldEncryption } from '../security/field-encryption.js';
import { SensitiveIdentifiers } from '../security/sensitive-identifiers.js';
import { AccessTokens } from './access-tokens.js';
import { AccountStore } from './account-store.js';
import { Authenticator } from './authenticator.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { DEFAULT_SIGN_IN_POLICY, SignIn, type SignInPolicy } from './sign-in.js';

export interface IdentityOptions {
  /** `UNICHART_ENCRYPTION_KEYS`; without it a key is kept in the database (development only). */
  readonly encryptionKeys?: string;
  /**
   * `UNICHART_IDENTIFIER_INDEX_KEY` (base64 of 32 bytes): keys the search tokens of SSNs and
   * licences. It does not rotate with the encryption keys (tokens would stop matching); without
   * it a key is kept in the database (development only).
   */
  readonly identifierIndexKey?: string;
  readonly accessTokenSeconds?: number;
  readonly signIn?: Partial<SignInPolicy>;
}

export interface Identity {
  readonly accounts: AccountStore;
  readonly tokens: AccessTokens;
  readonly encryption: FieldEncryption;
  /** Encrypts, indexes and reveals or masks SSNs and driver's licences on Patients and RelatedPersons. */
  readonly sensitiveIdentifiers: SensitiveIdentifiers;
  readonly signIn: SignIn;
  readonly authenticator: Authenticator;
  readonly encryptionKeyFromDatabase: boolean;
  /** A session unused this long ends; the web app warns and signs out on the same clock. */
  readonly idleMinutes: number;
}

export async function createIdentity(db: Database, options: IdentityOptions = {}): Promise<Identity> {
  const accounts = new AccountStore(db);
  const policy = { ...DEFAULT_SIGN_IN_POLICY, ...options.signIn };
  const tokens = new AccessTokens(await accounts.platformSecret('access-token-key'), options.accessTokenSeconds ?? 15 * 60);
  const encryption = options.encryptionKeys
    ? FieldEncryption.fromSpec(options.encryptionKeys)
    : new FieldEncryption([{ id: 'db', key: Buffer.from(await accounts.platformSecret('field-encryption-key'), 'base64url') }]);
  const indexKey = Buffer.from(options.identifierIndexKey ?? (await accounts.platformSecret('identifier-index-key')), options.identifierIndexKey ? 'base64' : 'base64url');
  if (indexKey.length < 32) throw new Error('UNICHART_IDENTIFIER_INDEX_KEY must be at least 32 bytes (base64)');
  return {
    accounts,
    tokens,
    encryption,
    sensitiveIdentifiers: new SensitiveIdentifiers(encryption, indexKey),
    signIn: new SignIn(accounts, tokens, encryption, policy),
    authenticator: new Authenticator(accounts, tokens, policy.idleMinutes),
    encryptionKeyFromDatabase: !options.encryptionKeys,
    idleMinutes: policy.idleMinutes,
  };
}

/**
 * The first administrator of a practice: from UNICHART_ADMIN_EMAIL / UNICHART_ADMIN_PASSWORD,
 * or with a generated password that is returned (to be printed once) and never stored in clear.
 */
export async function ensureAdministrator(
  accounts: AccountStore,
  tenantId: string,
  email: string,
  password: string | undefined,
): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await accounts.listAccounts(tenantId)).length > 0) return { created: false };
  const chosen = password ?? randomBytes(12).toString('base64url');
  const problem = passwordProblem(chosen, email);
  if (problem) throw new Error(`UNICHART_ADMIN_PASSWORD is not acceptable: ${problem}`);
  await accounts.createAccount(tenantId, { email, displayName: 'Administrator', roleCode: 'administrator', passwordHash: await hashPassword(chosen) });
  return { created: true, generatedPassword: password ? undefined : chosen };
}
