import type { Schedule } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { AVAILABILITY_URL, cutSlots, intersect, merge, parseScheduleTemplate, subtract, templateIntervals, TemplateProblem, TIMEZONE_URL, within } from './availability.js';

const at = (iso: string) => new Date(iso);
const span = (start: string, end: string) => ({ start: at(start), end: at(end) });
const iso = (intervals: { start: Date; end: Date }[]) => intervals.map((i) => [i.start.toISOString(), i.end.toISOString()]);

function schedule(zone: string, blocks: [string[], string, string, string[]?][], horizon?: { start?: string; end?: string }): Schedule {
  return {
    resourceType: 'Schedule',
    id: 's1',
    actor: [{ reference: 'Practitioner/1' }],
    planningHorizon: horizon,
    extension: [
      { url: TIMEZONE_URL, valueCode: zone },
      ...blocks.map(([days, start, end, types = []]) => ({
        url: AVAILABILITY_URL,
        extension: [
          ...days.map((d) => ({ url: 'daysOfWeek', valueCode: d })),
          { url: 'availableStartTime', valueTime: start },
          { url: 'availableEndTime', valueTime: end },
          ...types.map((t) => ({ url: 'appointmentType', valueCode: t })),
        ],
      })),
    ],
  };
}

describe('weekly templates', () => {
  it('keep wall-clock hours across a daylight saving change', () => {
    const template = parseScheduleTemplate(schedule('America/New_York', [[['fri', 'mon'], '09:00:00', '10:00:00']]), 'UTC');
    // Friday 8 March 2030 is EST (UTC-5); Monday 11 March is EDT (UTC-4).
    expect(iso(templateIntervals(template, at('2030-03-08T00:00:00Z'), at('2030-03-12T00:00:00Z'), undefined))).toEqual([
      ['2030-03-08T14:00:00.000Z', '2030-03-08T15:00:00.000Z'],
      ['2030-03-11T13:00:00.000Z', '2030-03-11T14:00:00.000Z'],
    ]);
  });

  it('offer a block only to the appointment types it takes, clipped to the window and the planning horizon', () => {
    const template = parseScheduleTemplate(
      schedule('UTC', [[['mon'], '08:00:00', '12:00:00', ['new-patient']], [['mon'], '13:00:00', '17:00:00']], { end: '2030-03-11' }),
      'UTC',
    );
    const window = [at('2030-03-04T09:00:00Z'), at('2030-03-19T00:00:00Z')] as const;
    // The horizon ends with 11 March: the 18th is not offered.
    expect(iso(templateIntervals(template, ...window, 'follow-up'))).toEqual([
      ['2030-03-04T13:00:00.000Z', '2030-03-04T17:00:00.000Z'],
      ['2030-03-11T13:00:00.000Z', '2030-03-11T17:00:00.000Z'],
    ]);
    expect(iso(templateIntervals(template, ...window, 'new-patient'))[0]).toEqual(['2030-03-04T09:00:00.000Z', '2030-03-04T12:00:00.000Z']);
  });

  it('refuse a block that ends before it starts, an unknown day or an unknown time zone', () => {
    expect(() => parseScheduleTemplate(schedule('UTC', [[['mon'], '12:00:00', '08:00:00']]), 'UTC')).toThrow(TemplateProblem);
    expect(() => parseScheduleTemplate(schedule('UTC', [[['someday'], '08:00:00', '12:00:00']]), 'UTC')).toThrow(/daysOfWeek/);
    expect(() => parseScheduleTemplate(schedule('Mars/Olympus', [[['mon'], '08:00:00', '12:00:00']]), 'UTC')).toThrow(/time zone/);
  });
});

describe('interval arithmetic', () => {
  it('merges touching and overlapping intervals', () => {
    expect(iso(merge([span('2030-01-01T10:00:00Z', '2030-01-01T11:00:00Z'), span('2030-01-01T09:00:00Z', '2030-01-01T10:00:00Z'), span('2030-01-01T10:30:00Z', '2030-01-01T10:45:00Z')]))).toEqual([
      ['2030-01-01T09:00:00.000Z', '2030-01-01T11:00:00.000Z'],
    ]);
  });

  it('subtracts busy time, including busy time that starts before or ends after', () => {
    const open = [span('2030-01-01T09:00:00Z', '2030-01-01T12:00:00Z')];
    const busy = [span('2030-01-01T08:00:00Z', '2030-01-01T09:30:00Z'), span('2030-01-01T10:00:00Z', '2030-01-01T10:20:00Z'), span('2030-01-01T11:50:00Z', '2030-01-01T13:00:00Z')];
    expect(iso(subtract(open, busy))).toEqual([
      ['2030-01-01T09:30:00.000Z', '2030-01-01T10:00:00.000Z'],
      ['2030-01-01T10:20:00.000Z', '2030-01-01T11:50:00.000Z'],
    ]);
  });

  it('intersects: the times free in both', () => {
    const practitioner = [span('2030-01-01T09:00:00Z', '2030-01-01T12:00:00Z'), span('2030-01-01T13:00:00Z', '2030-01-01T17:00:00Z')];
    const room = [span('2030-01-01T11:00:00Z', '2030-01-01T14:00:00Z'), span('2030-01-01T16:30:00Z', '2030-01-01T18:00:00Z')];
    expect(iso(intersect(practitioner, room))).toEqual([
      ['2030-01-01T11:00:00.000Z', '2030-01-01T12:00:00.000Z'],
      ['2030-01-01T13:00:00.000Z', '2030-01-01T14:00:00.000Z'],
      ['2030-01-01T16:30:00.000Z', '2030-01-01T17:00:00.000Z'],
    ]);
    expect(intersect(practitioner, [])).toEqual([]);
  });

  it('cuts back-to-back slots that fit wholly, and tells whether a time lies within', () => {
    const free = [span('2030-01-01T09:30:00Z', '2030-01-01T10:00:00Z'), span('2030-01-01T10:20:00Z', '2030-01-01T11:30:00Z')];
    expect(iso(cutSlots(free, 20)).map(([s]) => s!.slice(11, 16))).toEqual(['09:30', '10:20', '10:40', '11:00']);
    expect(within(free, at('2030-01-01T10:40:00Z'), at('2030-01-01T11:30:00Z'))).toBe(true);
    expect(within(free, at('2030-01-01T09:50:00Z'), at('2030-01-01T10:30:00Z'))).toBe(false);
  });
});
