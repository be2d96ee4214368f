import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FieldEncryption } from './field-encryption.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('field encryption', () => {
  it('round-trips a value and never stores the plain text', () => {
    const crypto = new FieldEncryption([key('a')]);
    const sealed = crypto.encrypt('123-45-6789');
    expect(sealed).not.toContain('123-45-6789');
    expect(sealed.startsWith('enc:v1:a:')).toBe(true);
    expect(crypto.decrypt(sealed)).toBe('123-45-6789');
  });

  it('gives different ciphertexts for the same value (random IV)', () => {
    const crypto = new FieldEncryption([key('a')]);
    expect(crypto.encrypt('x')).not.toBe(crypto.encrypt('x'));
  });

  it('detects tampering', () => {
    const crypto = new FieldEncryption([key('a')]);
    const parts = crypto.encrypt('123-45-6789').split(':');
    const body = Buffer.from(parts[5]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[5] = body.toString('base64url');
    expect(() => crypto.decrypt(parts.join(':'))).toThrow();
  });

  it('rotates keys: old values still decrypt and are flagged for re-encryption', () => {
    const oldKey = key('2025');
    const before = new FieldEncryption([oldKey]).encrypt('D1234567');
    const rotated = new FieldEncryption([key('2026'), oldKey]);
    expect(rotated.decrypt(before)).toBe('D1234567');
    expect(rotated.needsRotation(before)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('D1234567'))).toBe(false);
  });

  it('refuses a key of the wrong length and a value sealed with an unknown key', () => {
    expect(() => new FieldEncryption([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
    const sealed = new FieldEncryption([key('x')]).encrypt('v');
    expect(() => new FieldEncryption([key('y')]).decrypt(sealed)).toThrow(/not configured/);
  });

  it('reads keys from the environment format', () => {
    const crypto = FieldEncryption.fromSpec(`k1:${randomBytes(32).toString('base64')},k0:${randomBytes(32).toString('base64')}`);
    expect(crypto.encrypt('v').split(':')[2]).toBe('k1');
  });
});
