import type { Appointment } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { appointmentEvent } from './appointment-events.js';

const appointment = (status: Appointment['status']): Appointment => ({
  resourceType: 'Appointment',
  id: 'a1',
  status,
  start: '2030-03-04T14:00:00Z',
  end: '2030-03-04T14:20:00Z',
  appointmentType: { coding: [{ code: 'follow-up', display: 'Follow-up' }] },
  participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }, { actor: { reference: 'Practitioner/d1' }, status: 'accepted' }],
});

describe('appointments on the calendar', () => {
  it('name the patient, the type and the status in words, coloured by status', () => {
    const event = appointmentEvent(appointment('booked'), new Map([['Patient/p1', 'Lan Nguyen']]))!;
    expect(event.title).toBe('Lan Nguyen · Follow-up · Booked');
    expect(event.backgroundColor).toBe('#1c5fb8');
    expect(event.editable).toBe(true);
  });

  it('only a booked appointment can be dragged; a no-show is red and fixed', () => {
    const event = appointmentEvent(appointment('noshow'), new Map())!;
    expect(event.title).toBe('Patient · Follow-up · No-show');
    expect(event.editable).toBe(false);
    expect(event.backgroundColor).not.toBe(appointmentEvent(appointment('arrived'), new Map())!.backgroundColor);
  });

  it('leaves out an appointment without times (a waitlist entry)', () => {
    expect(appointmentEvent({ ...appointment('waitlist'), start: undefined, end: undefined }, new Map())).toBeUndefined();
  });
});
