import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';

/** One row of `Appointment/$day-view`. */
export interface DayViewRow {
  readonly appointment: string;
  readonly start?: string;
  readonly end?: string;
  readonly patient?: string;
  readonly patientName?: string;
  readonly practitioners: readonly string[];
  readonly type?: string;
  /** booked, arrived, in room, with clinician, checked out, no-show */
  readonly status: string;
  readonly arrived?: string;
  readonly waitMinutes?: number;
}

export function dayViewRows(result: Parameters | undefined): DayViewRow[] {
  return (result?.parameter ?? []).filter((p) => p.name === 'row').map((row) => {
    const part = (name: string): ParametersParameter | undefined => row.part?.find((p) => p.name === name);
    const patient = part('patient')?.valueReference;
    return {
      appointment: part('appointment')?.valueReference?.reference ?? '',
      start: part('start')?.valueDateTime,
      end: part('end')?.valueDateTime,
      patient: patient?.reference,
      patientName: patient?.display,
      practitioners: (row.part ?? []).filter((p) => p.name === 'practitioner').flatMap((p) => (p.valueReference?.reference ? [p.valueReference.reference] : [])),
      type: part('type')?.valueString,
      status: part('status')?.valueCode ?? 'booked',
      arrived: part('arrived')?.valueDateTime,
      waitMinutes: part('wait-minutes')?.valueInteger,
    };
  });
}

/** Rows grouped by practitioner, in the order they first appear (the server sorts by time). */
export function byPractitioner(rows: readonly DayViewRow[]): Map<string, DayViewRow[]> {
  const groups = new Map<string, DayViewRow[]>();
  for (const row of rows) {
    const key = row.practitioners[0] ?? 'unassigned';
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
}

/** The next steps the desk can take from a status, as `$visit-status` codes with their labels. */
export function nextSteps(status: string): { code: string; label: string }[] {
  switch (status) {
    case 'booked':
      return [{ code: 'no-show', label: 'Mark no-show' }];
    case 'arrived':
      return [{ code: 'in-room', label: 'Room' }, { code: 'with-clinician', label: 'With clinician' }, { code: 'checked-out', label: 'Check out' }];
    case 'in room':
      return [{ code: 'with-clinician', label: 'With clinician' }, { code: 'checked-out', label: 'Check out' }];
    case 'with clinician':
      return [{ code: 'checked-out', label: 'Check out' }];
    default:
      return [];
  }
}
