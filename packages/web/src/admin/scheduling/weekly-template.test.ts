import type { Schedule } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { AVAILABILITY_URL, blockProblem, blocksOf, describeDays, TIMEZONE_URL, withTemplate, type TemplateBlock } from './weekly-template.js';

const morning: TemplateBlock = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '12:00', appointmentTypes: [] };
const afternoon: TemplateBlock = { days: ['thu'], start: '13:00', end: '17:30', appointmentTypes: ['follow-up', 'telehealth'] };
const schedule: Schedule = {
  resourceType: 'Schedule',
  id: 's1',
  actor: [{ reference: 'Practitioner/p1' }],
  extension: [{ url: 'https://example.org/other', valueString: 'kept' }],
};

describe('weekly template blocks and the Schedule availability extensions', () => {
  it('writes blocks the way the server reads them and reads them back unchanged', () => {
    const written = withTemplate(schedule, [morning, afternoon], 'America/New_York');
    expect(written.extension?.find((e) => e.url === TIMEZONE_URL)?.valueCode).toBe('America/New_York');
    const second = written.extension?.filter((e) => e.url === AVAILABILITY_URL)[1];
    expect(second?.extension).toEqual([
      { url: 'daysOfWeek', valueCode: 'thu' },
      { url: 'availableStartTime', valueTime: '13:00:00' },
      { url: 'availableEndTime', valueTime: '17:30:00' },
      { url: 'appointmentType', valueCode: 'follow-up' },
      { url: 'appointmentType', valueCode: 'telehealth' },
    ]);
    expect(blocksOf(written)).toEqual([morning, afternoon]);
  });

  it('replaces the old blocks and time zone but keeps other extensions', () => {
    const once = withTemplate(schedule, [morning, afternoon], 'America/New_York');
    const twice = withTemplate(once, [afternoon], 'Europe/Paris');
    expect(blocksOf(twice)).toEqual([afternoon]);
    expect(twice.extension?.filter((e) => e.url === TIMEZONE_URL)).toEqual([{ url: TIMEZONE_URL, valueCode: 'Europe/Paris' }]);
    expect(twice.extension?.[0]).toEqual({ url: 'https://example.org/other', valueString: 'kept' });
  });

  it('leaves the time zone to the server default when none is given', () => {
    expect(withTemplate(schedule, [morning], undefined).extension?.some((e) => e.url === TIMEZONE_URL)).toBe(false);
  });

  it('orders days Monday first whatever order they were ticked in', () => {
    const written = withTemplate(schedule, [{ ...morning, days: ['fri', 'mon'] }], 'UTC');
    expect(blocksOf(written)[0]?.days).toEqual(['mon', 'fri']);
  });

  it('reads seconds-precision times as hours and minutes', () => {
    const withSeconds: Schedule = { ...schedule, extension: [{ url: AVAILABILITY_URL, extension: [{ url: 'daysOfWeek', valueCode: 'sat' }, { url: 'availableStartTime', valueTime: '09:15:30' }, { url: 'availableEndTime', valueTime: '11:00:00' }] }] };
    expect(blocksOf(withSeconds)).toEqual([{ days: ['sat'], start: '09:15', end: '11:00', appointmentTypes: [] }]);
  });
});

describe('blockProblem', () => {
  it('accepts a block that ends after it starts', () => expect(blockProblem(morning)).toBeUndefined());
  it('needs a day', () => expect(blockProblem({ ...morning, days: [] })).toBe('Choose at least one day'));
  it('refuses a block ending when it starts', () => expect(blockProblem({ ...morning, end: '08:00' })).toBe('The block must end after it starts'));
  it('refuses a time that is not a time of day', () => expect(blockProblem({ ...morning, start: '24:00' })).toBe('Enter start and end times such as 08:30'));
});

describe('describeDays', () => {
  it('joins three or more days in a row into a range', () => expect(describeDays(['mon', 'tue', 'wed', 'thu', 'fri'])).toBe('Mon–Fri'));
  it('lists two neighbouring days and separate ones', () => expect(describeDays(['mon', 'tue', 'thu', 'sat', 'sun'])).toBe('Mon, Tue, Thu, Sat, Sun'));
});
