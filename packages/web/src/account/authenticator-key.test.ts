import { describe, expect, it } from 'vitest';
import { groupedSecret } from './authenticator-key.js';

describe('the authenticator key', () => {
  it('is shown in groups of four for typing by hand', () => {
    expect(groupedSecret('JBSWY3DPEHPK3PXPJBSW')).toBe('JBSW Y3DP EHPK 3PXP JBSW');
    expect(groupedSecret('ABCDEF')).toBe('ABCD EF');
  });
});
