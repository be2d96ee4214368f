import { describe, expect, it } from 'vitest';
import { AccessTokens } from './access-tokens.js';

const claims = { sub: 'account-1', tid: '8d6f7c1e-0b1c-4a55-9d1e-2a7c3e0f9b10', sid: 'session-1' };

describe('access tokens', () => {
  it('verifies its own tokens, again and again, until they expire', async () => {
    const tokens = new AccessTokens('a platform secret of enough length', 60);
    const token = await tokens.sign(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    // A remembered token expires on time just the same.
    expect(await tokens.verify(token, Date.now() + 61_000)).toBeUndefined();
    // ... and checked afresh it is expired too.
    expect(await tokens.verify(token, Date.now() + 61_000)).toBeUndefined();
  });

  it('refuses a token signed with another key, or altered', async () => {
    const tokens = new AccessTokens('a platform secret of enough length', 60);
    const other = await new AccessTokens('another secret entirely, also long', 60).sign(claims);
    expect(await tokens.verify(other)).toBeUndefined();
    const token = await tokens.sign(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'account-2', iss: 'unichart', aud: 'unichart-api', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    expect(await tokens.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
    expect(await tokens.verify('not a token')).toBeUndefined();
  });
});
