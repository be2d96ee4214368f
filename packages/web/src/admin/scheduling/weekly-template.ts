import type { Extension, Schedule } from '@medplum/fhirtypes';

/**
 * A Schedule's weekly template as the administrator edits it, and back. The server reads the same
 * extensions (server: scheduling/availability.ts): one availability block per extension, modelled on
 * R5's Availability, with the schedule's time zone beside them.
 */
export const AVAILABILITY_URL = 'https://unichart.dev/fhir/StructureDefinition/availability';
export const TIMEZONE_URL = 'http://hl7.org/fhir/StructureDefinition/timezone';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const WEEKDAY_NAMES: Record<Weekday, string> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

export interface TemplateBlock {
  readonly days: readonly Weekday[];
  /** Wall-clock "HH:MM" in the schedule's time zone. */
  readonly start: string;
  readonly end: string;
  /** Appointment type codes the block takes; empty takes any. */
  readonly appointmentTypes: readonly string[];
}

export function timeZoneOf(schedule: Schedule): string | undefined {
  return schedule.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode;
}

export function blocksOf(schedule: Schedule): TemplateBlock[] {
  return (schedule.extension ?? [])
    .filter((e) => e.url === AVAILABILITY_URL)
    .map((e) => {
      const parts = e.extension ?? [];
      const time = (url: string) => (parts.find((p) => p.url === url)?.valueTime ?? '').slice(0, 5);
      return {
        days: WEEKDAYS.filter((day) => parts.some((p) => p.url === 'daysOfWeek' && p.valueCode === day)),
        start: time('availableStartTime'),
        end: time('availableEndTime'),
        appointmentTypes: parts.filter((p) => p.url === 'appointmentType').flatMap((p) => (p.valueCode ? [p.valueCode] : [])),
      };
    });
}

/** The schedule with these blocks (and time zone, if given) in place of its old ones; its other extensions stay. */
export function withTemplate(schedule: Schedule, blocks: readonly TemplateBlock[], timeZone: string | undefined): Schedule {
  const others = (schedule.extension ?? []).filter((e) => e.url !== AVAILABILITY_URL && e.url !== TIMEZONE_URL);
  return { ...schedule, extension: [...others, ...(timeZone ? [{ url: TIMEZONE_URL, valueCode: timeZone }] : []), ...blocks.map(blockExtension)] };
}

function blockExtension(block: TemplateBlock): Extension {
  return {
    url: AVAILABILITY_URL,
    extension: [
      ...WEEKDAYS.filter((d) => block.days.includes(d)).map((valueCode) => ({ url: 'daysOfWeek', valueCode })),
      { url: 'availableStartTime', valueTime: `${block.start}:00` },
      { url: 'availableEndTime', valueTime: `${block.end}:00` },
      ...block.appointmentTypes.map((valueCode) => ({ url: 'appointmentType', valueCode })),
    ],
  };
}

/** What is wrong with a block, in words for the form, or undefined. */
export function blockProblem(block: TemplateBlock): string | undefined {
  if (block.days.length === 0) return 'Choose at least one day';
  if (!isTimeOfDay(block.start) || !isTimeOfDay(block.end)) return 'Enter start and end times such as 08:30';
  if (block.end <= block.start) return 'The block must end after it starts';
  return undefined;
}

function isTimeOfDay(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/** "Mon–Fri 08:00–12:00" style summary of a block's days. */
export function describeDays(days: readonly Weekday[]): string {
  const indexes = WEEKDAYS.map((d, i) => (days.includes(d) ? i : -1)).filter((i) => i >= 0);
  const runs: string[] = [];
  for (let i = 0; i < indexes.length; ) {
    let j = i;
    while (j + 1 < indexes.length && indexes[j + 1] === indexes[j]! + 1) j++;
    const first = WEEKDAY_NAMES[WEEKDAYS[indexes[i]!]!];
    const last = WEEKDAY_NAMES[WEEKDAYS[indexes[j]!]!];
    runs.push(j - i >= 2 ? `${first}–${last}` : WEEKDAYS.slice(indexes[i]!, indexes[j]! + 1).map((d) => WEEKDAY_NAMES[d]).join(', '));
    i = j + 1;
  }
  return runs.join(', ');
}
