import type { Schedule, Slot } from '@medplum/fhirtypes';

/**
 * Leave and holidays are busy-unavailable Slots on a schedule (server: scheduling/schedule-book.ts):
 * whole local days in the schedule's time zone, so a day off is the same day wherever the
 * administrator's browser happens to be.
 */
export function leaveSlot(schedule: Schedule, firstDay: string, lastDay: string, timeZone: string, comment: string): Slot {
  return {
    resourceType: 'Slot',
    schedule: { reference: `Schedule/${schedule.id}` },
    status: 'busy-unavailable',
    start: new Date(zonedMidnight(firstDay, timeZone)).toISOString(),
    end: new Date(zonedMidnight(nextDay(lastDay), timeZone)).toISOString(),
    ...(comment.trim() ? { comment: comment.trim() } : {}),
  };
}

/** The instant local midnight starts a calendar day (YYYY-MM-DD) in an IANA time zone. */
export function zonedMidnight(day: string, timeZone: string): number {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, date);
  // The offset at the guess, then again at the answer: the two differ only across a daylight-saving change.
  const guess = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(guess, timeZone);
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - Math.floor(instant / 1000) * 1000;
}

export function nextDay(day: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
}

/** The local calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayIn(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}
