import { describe, expect, it } from 'vitest';
import { instantText, parseFhirDateRange } from './fhir-date.js';

const range = (text: string): [string, string] | undefined => {
  const r = parseFhirDateRange(text);
  return r && [r.low.toISOString(), r.high.toISOString()];
};

describe('parseFhirDateRange: a FHIR date is the range its precision covers', () => {
  it.each([
    ['2020', '2020-01-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
    ['2020-02', '2020-02-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
    ['2020-12', '2020-12-01T00:00:00.000Z', '2021-01-01T00:00:00.000Z'],
    ['2020-02-29', '2020-02-29T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
    ['2020-12-31T23:59Z', '2020-12-31T23:59:00.000Z', '2021-01-01T00:00:00.000Z'],
    ['2021-03-04T20:30:00+02:00', '2021-03-04T18:30:00.000Z', '2021-03-04T18:30:01.000Z'],
    ['2021-03-04T01:00:00-05:30', '2021-03-04T06:30:00.000Z', '2021-03-04T06:30:01.000Z'],
    ['2021-03-04T08:00:00.5Z', '2021-03-04T08:00:00.500Z', '2021-03-04T08:00:00.600Z'],
    ['2021-03-04T08:00:00.250Z', '2021-03-04T08:00:00.250Z', '2021-03-04T08:00:00.251Z'],
    ['0050-03-01', '0050-03-01T00:00:00.000Z', '0050-03-02T00:00:00.000Z'],
  ])('%s is [%s, %s)', (text, low, high) => {
    expect(range(text)).toEqual([low, high]);
  });

  it.each(['2021-02-29', '2020-13', '2020-00-10', '2020-04-31', '2020-01-01T24:00:00Z', '2020-01-01T10:60Z', '2020-01-01T10:00:00+15:00', '0000', '20-01-01', '2020/01/01', ''])(
    'refuses %j',
    (text) => {
      expect(parseFhirDateRange(text)).toBeUndefined();
    },
  );
});

describe('instantText', () => {
  it('writes instants in years 1-9999 as ISO text and anything beyond as an open end', () => {
    expect(instantText(new Date('2020-01-02T03:04:05.678Z'))).toBe('2020-01-02T03:04:05.678Z');
    expect(instantText(parseFhirDateRange('0001')!.low)).toBe('0001-01-01T00:00:00.000Z');
    expect(instantText(parseFhirDateRange('9999')!.high)).toBe('infinity');
    expect(instantText(new Date(parseFhirDateRange('0001')!.low.getTime() - 1))).toBe('-infinity');
  });
});
