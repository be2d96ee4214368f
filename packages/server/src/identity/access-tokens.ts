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

/** Short-lived signed access tokens (HS256 with the platform key shared by every server copy). */
export class AccessTokens {
  /** A KeyObject, so the HMAC key is imported once rather than on every verification. */
  private readonly key: KeyObject;

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
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || typeof payload.sid !== 'string') return undefined;
      return { sub: payload.sub, tid: payload.tid, sid: payload.sid };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
