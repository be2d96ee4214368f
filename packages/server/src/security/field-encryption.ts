import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for the few fields that must not sit in the database as plain text (SSN,
 * driver's licence, MFA secrets). Keys are named so they can rotate: new values use the first
 * key, old values still decrypt with theirs until re-encrypted.
 * Format: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts).
 */
export class FieldEncryption {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;

  constructor(keys: readonly { id: string; key: Buffer }[]) {
    if (keys.length === 0) throw new Error('FieldEncryption needs at least one key');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`Encryption key "${k.id}" must be 32 bytes (base64 of 32 random bytes)`);
      if (!/^[A-Za-z0-9_-]+$/.test(k.id)) throw new Error(`Encryption key id "${k.id}" may hold only letters, digits, "-" and "_"`);
    }
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.currentId = keys[0]!.id;
  }

  /** `UNICHART_ENCRYPTION_KEYS="2026b:<base64>,2026a:<base64>"`: the first is used for new values. */
  static fromSpec(spec: string): FieldEncryption {
    const keys = spec.split(',').map((part) => {
      const [id, key] = part.trim().split(':');
      if (!id || !key) throw new Error('UNICHART_ENCRYPTION_KEYS must look like "id:base64key,otherId:base64key"');
      return { id, key: Buffer.from(key, 'base64') };
    });
    return new FieldEncryption(keys);
  }

  encrypt(plain: string): string {
    const key = this.keys.get(this.currentId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['enc', 'v1', this.currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  decrypt(value: string): string {
    const [prefix, version, keyId, iv, tag, body] = value.split(':');
    if (prefix !== 'enc' || version !== 'v1' || !keyId || !iv || !tag || body === undefined) throw new Error('Not an encrypted value');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`Encryption key "${keyId}" is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  isEncrypted(value: string): boolean {
    return value.startsWith('enc:v1:');
  }

  /** True when the value was encrypted with an older key and should be re-encrypted. */
  needsRotation(value: string): boolean {
    return this.isEncrypted(value) && value.split(':')[2] !== this.currentId;
  }
}
