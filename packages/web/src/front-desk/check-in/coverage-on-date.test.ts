import type { Coverage } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { coverageOnDate } from './coverage-on-date.js';

const coverage = (id: string, order: number, period: Coverage['period'], copay?: number, status: Coverage['status'] = 'active'): Coverage => ({
  resourceType: 'Coverage',
  id,
  status,
  order,
  period,
  beneficiary: { reference: 'Patient/p' },
  payor: [{ reference: 'Organization/o' }],
  ...(copay !== undefined ? { costToBeneficiary: [{ type: { coding: [{ code: 'copay' }] }, valueMoney: { value: copay, currency: 'USD' } }] } : {}),
});

describe('coverage on the visit date', () => {
  it('takes the primary coverage active that day and its copay', () => {
    const status = coverageOnDate([coverage('secondary', 2, { start: '2030-01-01' }, 5), coverage('primary', 1, { start: '2030-01-01', end: '2030-12-31' }, 25)], '2030-03-04');
    expect(status.active?.id).toBe('primary');
    expect(status.copayDue).toEqual({ value: 25, currency: 'USD' });
  });

  it('says why a card on file does not cover the day: ended, not started, cancelled', () => {
    const status = coverageOnDate([coverage('old', 1, { end: '2029-12-31' }), coverage('future', 1, { start: '2031-01-01' }), coverage('gone', 1, {}, 0, 'cancelled')], '2030-03-04');
    expect(status.active).toBeUndefined();
    expect(status.inactive.map((i) => i.reason)).toEqual(['it ended on 2029-12-31', 'it starts on 2031-01-01', 'its status is cancelled']);
  });

  it('the last day of the period still counts', () => {
    expect(coverageOnDate([coverage('c', 1, { start: '2030-01-01', end: '2030-03-04' })], '2030-03-04').active?.id).toBe('c');
  });
});
