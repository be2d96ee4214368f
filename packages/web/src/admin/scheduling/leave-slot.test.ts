import { describe, expect, it } from 'vitest';
import { dayIn, leaveSlot, nextDay, zonedMidnight } from './leave-slot.js';

describe('a day of leave as a busy-unavailable Slot', () => {
  it('covers the whole local day in the schedule time zone', () => {
    const slot = leaveSlot({ resourceType: 'Schedule', id: 's1', actor: [] }, '2026-12-03', '2026-12-03', 'America/New_York', ' Annual leave ');
    expect(slot).toEqual({
      resourceType: 'Slot',
      schedule: { reference: 'Schedule/s1' },
      status: 'busy-unavailable',
      start: '2026-12-03T05:00:00.000Z',
      end: '2026-12-04T05:00:00.000Z',
      comment: 'Annual leave',
    });
  });

  it('runs to the end of the last day of a longer leave', () => {
    const slot = leaveSlot({ resourceType: 'Schedule', id: 's1', actor: [] }, '2026-12-28', '2027-01-01', 'Europe/Paris', '');
    expect([slot.start, slot.end, slot.comment]).toEqual(['2026-12-27T23:00:00.000Z', '2027-01-01T23:00:00.000Z', undefined]);
  });

  it('finds midnight on the days daylight saving time starts and ends', () => {
    // New York: clocks go forward at 02:00 on 8 March 2026 and back on 1 November 2026; midnight is before both.
    expect(new Date(zonedMidnight('2026-03-08', 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(zonedMidnight('2026-03-09', 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(new Date(zonedMidnight('2026-11-01', 'America/New_York')).toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(new Date(zonedMidnight('2026-11-02', 'America/New_York')).toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });

  it('counts days across month and year ends', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });

  it('names the local day of an instant', () => expect(dayIn('2026-12-04T04:30:00.000Z', 'America/New_York')).toBe('2026-12-03'));
});
