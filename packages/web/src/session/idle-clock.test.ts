import { describe, expect, it } from 'vitest';
import { idlePhase, warningLeadMs } from './idle-clock.js';

const MINUTE = 60_000;

describe('idle auto-logoff on the 15-minute staff clock', () => {
  it('is active until one minute before the end', () => {
    expect(idlePhase(0, 14 * MINUTE - 1, 15)).toEqual({ phase: 'active' });
  });

  it('warns in the last minute with the seconds left', () => {
    expect(idlePhase(0, 14 * MINUTE, 15)).toEqual({ phase: 'warning', secondsLeft: 60 });
    expect(idlePhase(0, 15 * MINUTE - 1500, 15)).toEqual({ phase: 'warning', secondsLeft: 2 });
  });

  it('expires exactly at 15 minutes', () => {
    expect(idlePhase(0, 15 * MINUTE, 15)).toEqual({ phase: 'expired' });
  });

  it('warns a quarter of the time ahead when the idle time is short', () => {
    expect(warningLeadMs(2)).toBe(30_000);
    expect(idlePhase(0, 90_000, 2)).toEqual({ phase: 'warning', secondsLeft: 30 });
  });
});
