import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { rangeText, resultSeries } from './result-series.js';

const LOINC = 'http://loinc.org';
const a1c = (id: string, when: string, value: number, extra: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code: '4548-4', display: 'Hemoglobin A1c' }], text: 'HbA1c' },
  effectiveDateTime: when,
  valueQuantity: { value, unit: '%' },
  referenceRange: [{ low: { value: 4 }, high: { value: 5.6 } }],
  ...extra,
});

describe('results grouped into trends', () => {
  it('puts every result of one test on one series, oldest first, with the range and a flag per value', () => {
    const [series, ...rest] = resultSeries([a1c('b', '2026-06-01', 6.4), a1c('a', '2026-01-10', 7.2), a1c('c', '2026-10-01', 5.4)]);
    expect(rest).toHaveLength(0);
    expect(series!.name).toBe('HbA1c');
    expect(series!.points.map((p) => p.value)).toEqual([7.2, 6.4, 5.4]);
    expect(series!.points.map((p) => p.flag)).toEqual(['high', 'high', 'normal']);
    expect([series!.low, series!.high, series!.unit]).toEqual([4, 5.6, '%']);
  });

  it("trusts the lab's interpretation over the range", () => {
    const [series] = resultSeries([a1c('a', '2026-01-10', 5, { interpretation: [{ coding: [{ code: 'H' }] }] })]);
    expect(series!.latest.flag).toBe('high');
  });

  it('keeps tests apart, newest first, and leaves out results entered in error', () => {
    const weight: Observation = { resourceType: 'Observation', id: 'w', status: 'final', code: { text: 'Body weight' }, effectiveDateTime: '2026-11-01', valueQuantity: { value: 81, unit: 'kg' } };
    const series = resultSeries([a1c('a', '2026-01-10', 7.2), weight, a1c('x', '2026-02-01', 99, { status: 'entered-in-error' })]);
    expect(series.map((s) => [s.name, s.points.length])).toEqual([['Body weight', 1], ['HbA1c', 1]]);
    expect(series[0]!.latest.flag).toBeUndefined();
  });

  it('words a range', () => {
    expect(rangeText(4, 5.6, '%')).toBe('4–5.6 %');
    expect(rangeText(undefined, 200, 'mg/dL')).toBe('≤ 200 mg/dL');
    expect(rangeText(undefined, undefined, '')).toBe('');
  });
});
