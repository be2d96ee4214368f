import type { Extension, Schedule } from '@medplum/fhirtypes';
import { parseFhirDateRange } from '@unichart/fhir';
import { DateTime, IANAZone } from 'luxon';

/**
 * Weekly templates and open times. A Schedule (one practitioner at one location, or a room or
 * device) carries its working hours as availability blocks, modelled on R5's Availability:
 * days of the week, a start and end time of day in the schedule's time zone, and the
 * appointment types the block takes (none listed: any). Breaks are the gaps between blocks.
 * Everything here is pure: the caller brings the schedules, exceptions and booked times.
 */
export const AVAILABILITY_URL = 'https://unichart.dev/fhir/StructureDefinition/availability';
export const TIMEZONE_URL = 'http://hl7.org/fhir/StructureDefinition/timezone';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Interval {
  readonly start: Date;
  readonly end: Date;
}

export interface AvailabilityBlock {
  readonly days: readonly Weekday[];
  /** Minutes after local midnight. */
  readonly startMinute: number;
  readonly endMinute: number;
  /** Appointment type codes the block takes; empty takes any. */
  readonly appointmentTypes: readonly string[];
}

export interface ScheduleTemplate {
  readonly scheduleId: string;
  readonly actors: readonly string[];
  /** Schedule.actor display, by reference: how a refusal names who or what is not free. */
  readonly actorNames: ReadonlyMap<string, string>;
  readonly timeZone: string;
  /** When the template applies (Schedule.planningHorizon); open-ended where absent. */
  readonly horizon: { readonly start?: Date; readonly end?: Date };
  readonly blocks: readonly AvailabilityBlock[];
}

/** Why a Schedule's template cannot be used, naming the element, for a 4xx on write. */
export class TemplateProblem extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export function parseScheduleTemplate(schedule: Schedule, defaultTimeZone: string): ScheduleTemplate {
  const timeZone = schedule.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode ?? defaultTimeZone;
  if (!IANAZone.isValidZone(timeZone)) throw new TemplateProblem(`"${timeZone}" is not a known time zone`, 'Schedule.extension');
  const blocks = (schedule.extension ?? []).filter((e) => e.url === AVAILABILITY_URL).map((e, i) => parseBlock(e, `Schedule.extension[${i}]`));
  const horizon = schedule.planningHorizon ?? {};
  return {
    scheduleId: schedule.id ?? '',
    actors: (schedule.actor ?? []).map((a) => a.reference ?? '').filter(Boolean),
    actorNames: new Map((schedule.actor ?? []).filter((a) => a.reference && a.display).map((a) => [a.reference!, a.display!])),
    timeZone,
    // A horizon ending on a date includes that whole day.
    horizon: { start: horizon.start ? parseFhirDateRange(horizon.start)?.low : undefined, end: horizon.end ? parseFhirDateRange(horizon.end)?.high : undefined },
    blocks,
  };
}

function parseBlock(extension: Extension, path: string): AvailabilityBlock {
  const parts = extension.extension ?? [];
  const days = parts.filter((p) => p.url === 'daysOfWeek').map((p) => p.valueCode as Weekday);
  if (days.length === 0 || days.some((d) => !WEEKDAYS.includes(d))) throw new TemplateProblem('An availability block needs daysOfWeek codes (mon … sun)', path);
  const startMinute = minuteOfDay(parts.find((p) => p.url === 'availableStartTime')?.valueTime, `${path}.availableStartTime`);
  const endMinute = minuteOfDay(parts.find((p) => p.url === 'availableEndTime')?.valueTime, `${path}.availableEndTime`);
  if (endMinute <= startMinute) throw new TemplateProblem('An availability block must end after it starts', path);
  const appointmentTypes = parts.filter((p) => p.url === 'appointmentType').map((p) => p.valueCode ?? '').filter(Boolean);
  return { days, startMinute, endMinute, appointmentTypes };
}

function minuteOfDay(time: string | undefined, path: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(time ?? '');
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  throw new TemplateProblem(`A time of day such as 08:30:00 is needed, got ${time ?? 'nothing'}`, path);
}

/** The template's open intervals within [from, to) that take this appointment type. */
export function templateIntervals(template: ScheduleTemplate, from: Date, to: Date, appointmentType: string | undefined): Interval[] {
  const blocks = template.blocks.filter((b) => !appointmentType || b.appointmentTypes.length === 0 || b.appointmentTypes.includes(appointmentType));
  const lower = Math.max(from.getTime(), template.horizon.start?.getTime() ?? -Infinity);
  const upper = Math.min(to.getTime(), template.horizon.end?.getTime() ?? Infinity);
  const intervals: Interval[] = [];
  if (blocks.length === 0 || lower >= upper) return intervals;
  for (const day of localDays(template.timeZone, lower, upper)) {
    for (const block of blocks) {
      if (!block.days.includes(day.weekday)) continue;
      const clippedStart = Math.max(day.at(block.startMinute), lower);
      const clippedEnd = Math.min(day.at(block.endMinute), upper);
      if (clippedStart < clippedEnd) intervals.push({ start: new Date(clippedStart), end: new Date(clippedEnd) });
    }
  }
  return merge(intervals);
}

interface LocalDay {
  readonly weekday: Weekday;
  /** The instant of a wall-clock time that day, in minutes after midnight. */
  at(minute: number): number;
  /** Midnight starting the next local day. */
  readonly next: number;
}

/**
 * The local calendar days touching [from, to) in a zone. Blocks keep their wall-clock hours
 * across daylight saving changes; only on the day of a change is the zone consulted per time.
 * Days are computed once per zone and kept: every request asks about the same few weeks.
 */
function localDays(zone: string, from: number, to: number): LocalDay[] {
  const days: LocalDay[] = [];
  for (let midnight = DateTime.fromMillis(from, { zone }).startOf('day').toMillis(); midnight < to; ) {
    const day = localDay(zone, midnight);
    days.push(day);
    midnight = day.next;
  }
  return days;
}

const knownDays = new Map<string, LocalDay>();

function localDay(zone: string, midnight: number): LocalDay {
  const key = `${zone}|${midnight}`;
  const known = knownDays.get(key);
  if (known) return known;
  const start = DateTime.fromMillis(midnight, { zone });
  const next = start.plus({ days: 1 });
  const steady = next.offset === start.offset;
  const day: LocalDay = {
    weekday: WEEKDAYS[start.weekday - 1]!,
    at: steady ? (minute) => midnight + minute * 60_000 : (minute) => start.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis(),
    next: next.toMillis(),
  };
  if (knownDays.size >= 20_000) knownDays.clear();
  knownDays.set(key, day);
  return day;
}

/** Sorted, with touching or overlapping intervals joined. */
export function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last && interval.start.getTime() <= last.end.getTime()) {
      if (interval.end > last.end) merged[merged.length - 1] = { start: last.start, end: interval.end };
    } else merged.push(interval);
  }
  return merged;
}

/** What is left of `open` once `busy` is taken out. */
export function subtract(open: readonly Interval[], busy: readonly Interval[]): Interval[] {
  const taken = merge(busy);
  const free: Interval[] = [];
  for (const interval of merge(open)) {
    let cursor = interval.start.getTime();
    const end = interval.end.getTime();
    for (const b of taken) {
      if (b.end.getTime() <= cursor || b.start.getTime() >= end) continue;
      if (b.start.getTime() > cursor) free.push({ start: new Date(cursor), end: b.start });
      cursor = Math.max(cursor, b.end.getTime());
    }
    if (cursor < end) free.push({ start: new Date(cursor), end: interval.end });
  }
  return free;
}

/** The times that lie in both. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = merge(a);
  const right = merge(b);
  const both: Interval[] = [];
  for (let i = 0, j = 0; i < left.length && j < right.length; ) {
    const start = Math.max(left[i]!.start.getTime(), right[j]!.start.getTime());
    const end = Math.min(left[i]!.end.getTime(), right[j]!.end.getTime());
    if (start < end) both.push({ start: new Date(start), end: new Date(end) });
    if (left[i]!.end.getTime() < right[j]!.end.getTime()) i++;
    else j++;
  }
  return both;
}

/**
 * Back-to-back slots of the given length in each free interval, so that appointments pack
 * against each other and against the start of a block.
 */
export function cutSlots(free: readonly Interval[], minutes: number): Interval[] {
  const length = minutes * 60_000;
  const slots: Interval[] = [];
  for (const interval of free) {
    for (let start = interval.start.getTime(); start + length <= interval.end.getTime(); start += length) {
      slots.push({ start: new Date(start), end: new Date(start + length) });
    }
  }
  return slots;
}

/** Whether [start, end) lies wholly inside one of the intervals. */
export function within(intervals: readonly Interval[], start: Date, end: Date): boolean {
  return intervals.some((i) => i.start.getTime() <= start.getTime() && end.getTime() <= i.end.getTime());
}

/**
 * A span of time as the front desk reads it, in the schedule's own zone:
 * "Fri 27 Nov 2026, 09:00–09:30 (America/New_York)"; the end gets its date when it is another day.
 */
export function localSpan(start: Date, end: Date, timeZone: string): string {
  const from = DateTime.fromJSDate(start, { zone: timeZone });
  const to = DateTime.fromJSDate(end, { zone: timeZone });
  const sameDay = from.hasSame(to, 'day');
  return `${from.toFormat('ccc d LLL yyyy, HH:mm')}–${to.toFormat(sameDay ? 'HH:mm' : 'ccc d LLL yyyy, HH:mm')} (${timeZone})`;
}
