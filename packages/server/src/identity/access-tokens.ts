import { createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, errors } from 'jose';

export interface AccessTokenClaims {
  /** Account id. */
  readonly sub: string;
  /** Practice (tenant) id. */
  readonly tid: string;
  /** Session id: every request checks it is still live, so revocation is immediate. */
  readonly sid: string;
}

const ISSUER = 'unichart';
const AUDIENCE = 'unichart-api';

/** Verified tokens remembered at once; a busy server sees far fewer live sessions than this. */
const VERIFIED_CACHE_SIZE = 10_000;

/** Short-lived signed access tokens (HS256 with the platform key shared by every server copy). */
export class AccessTokens {
  /** A KeyObject, so the HMAC key is imported once rather than on every verification. */
  private readonly key: KeyObject;
  /**
   * Tokens already verified, with their expiry: every request carries one, and checking its
   * signature again each time cost more than the rest of authentication. Only the exact token
   * text hits, and a hit still expires on time; whether the session is live is checked by the
   * caller on every request regardless.
   */
  private readonly verified = new Map<string, { claims: AccessTokenClaims; expiresAt: number }>();

  constructor(secret: string, readonly lifetimeSeconds = 15 * 60) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async sign(claims: AccessTokenClaims): Promise<string> {
    return new SignJWT({ tid: claims.tid, sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .sign(this.key);
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  async verify(token: string, now = Date.now()): Promise<AccessTokenClaims | undefined> {
    const known = this.verified.get(token);
    if (known) {
      if (now < known.expiresAt) return known.claims;
      this.verified.delete(token);
      return undefined;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(now) });
      if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return undefined;
      const claims = { sub: payload.sub, tid: payload.tid, sid: payload.sid };
      // Oldest first out (a Map keeps insertion order).
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { claims, expiresAt: payload.exp * 1000 });
      return claims;
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
