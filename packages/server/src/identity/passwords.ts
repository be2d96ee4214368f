import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. (2 is Algorithm.Argon2id, a const enum.) */
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the account does not exist, so a wrong email takes as long
 * as a wrong password and sign-in does not reveal which accounts exist.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('unichart-decoy-password');
  return decoy;
}

const COMMON = new Set(['password', 'password1', 'password123', '123456789012', 'qwertyuiop', 'letmein', 'welcome', 'iloveyou', 'unichart', 'changeme']);

export const MIN_PASSWORD_LENGTH = 12;

/**
 * NIST 800-63B: length over composition rules; refuse the obvious and the account's own email.
 * Returns what is wrong, in words for the person choosing it.
 */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'Use at most 256 characters';
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'This password is too common';
  const local = email.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return 'The password must not contain your email address';
  if (new Set(password).size < 5) return 'Use more different characters';
  return undefined;
}
