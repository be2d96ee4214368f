import { describe, expect, it } from 'vitest';
import { byPractitioner, dayViewRows, nextSteps } from './day-view-rows.js';

const row = (id: string, practitioner: string, status: string, wait?: number) => ({
  name: 'row',
  part: [
    { name: 'appointment', valueReference: { reference: `Appointment/${id}` } },
    { name: 'start', valueDateTime: '2030-03-04T14:00:00Z' },
    { name: 'patient', valueReference: { reference: 'Patient/p', display: 'Lan Nguyen' } },
    { name: 'practitioner', valueReference: { reference: practitioner } },
    { name: 'status', valueCode: status },
    ...(wait !== undefined ? [{ name: 'wait-minutes', valueInteger: wait }] : []),
  ],
});

describe('the day view', () => {
  it('reads each row of $day-view and groups them by practitioner', () => {
    const rows = dayViewRows({ resourceType: 'Parameters', parameter: [{ name: 'date', valueDate: '2030-03-04' }, row('1', 'Practitioner/a', 'arrived', 12), row('2', 'Practitioner/b', 'booked'), row('3', 'Practitioner/a', 'no-show')] });
    expect(rows[0]).toMatchObject({ appointment: 'Appointment/1', patientName: 'Lan Nguyen', status: 'arrived', waitMinutes: 12 });
    expect([...byPractitioner(rows).entries()].map(([k, v]) => [k, v.map((r) => r.appointment)])).toEqual([
      ['Practitioner/a', ['Appointment/1', 'Appointment/3']],
      ['Practitioner/b', ['Appointment/2']],
    ]);
  });

  it('offers only the steps that come next', () => {
    expect(nextSteps('booked').map((s) => s.code)).toEqual(['no-show']);
    expect(nextSteps('in room').map((s) => s.code)).toEqual(['with-clinician', 'checked-out']);
    expect(nextSteps('checked out')).toEqual([]);
  });
});
