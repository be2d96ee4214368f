import { describe, expect, it } from 'vitest';
import { FhirError } from './outcome.js';
import { validateResource } from './validate.js';

function refusal(resource: unknown): { message: string; path?: string } | undefined {
  try {
    validateResource(resource);
    return undefined;
  } catch (error) {
    if (!(error instanceof FhirError)) throw error;
    return { message: error.message, path: error.issues[0]?.expression?.[0] };
  }
}

const appointment = (start: string, end: string) => ({
  resourceType: 'Appointment',
  status: 'booked',
  start,
  end,
  participant: [{ actor: { reference: 'Practitioner/1' }, status: 'accepted' }],
});

describe('validation beyond the StructureDefinitions', () => {
  it('refuses dates that are not on the calendar, wherever they appear', () => {
    expect(refusal({ resourceType: 'Patient', birthDate: '2023-02-29' })).toMatchObject({ path: 'Patient.birthDate' });
    expect(refusal(appointment('2030-02-30T10:00:00Z', '2030-03-01T10:00:00Z'))?.message).toContain('not a real date');
    expect(refusal({ resourceType: 'Patient', birthDate: '2024-02-29' })).toBeUndefined();
  });

  it('refuses a period or an appointment that ends before it starts', () => {
    const coverage = { resourceType: 'Coverage', status: 'active', beneficiary: { reference: 'Patient/1' }, payor: [{ reference: 'Organization/1' }] };
    expect(refusal({ ...coverage, period: { start: '2026-12-01', end: '2025-01-01' } })).toMatchObject({ path: 'Coverage.period.end' });
    // A period may start and end within one day, at day precision.
    expect(refusal({ ...coverage, period: { start: '2026-12-01', end: '2026-12-01' } })).toBeUndefined();
    expect(refusal(appointment('2030-03-01T10:00:00Z', '2030-03-01T10:00:00Z'))).toMatchObject({ path: 'Appointment.end' });
    expect(refusal(appointment('2030-03-01T10:00:00Z', '2030-03-01T10:20:00Z'))).toBeUndefined();
  });

  it('refuses a reference that names no resource', () => {
    expect(refusal({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/' } })).toMatchObject({
      path: 'Observation.subject.reference',
    });
    expect(refusal({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p-1/_history/2' } })).toBeUndefined();
  });
});
