import type { Appointment, Bundle, Patient, Schedule, Slot } from '@medplum/fhirtypes';
import { Alert, Button, Fieldset, Group, NativeSelect, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { personName, usePractitioners } from '../directory.js';
import { useAppointmentTypeOptions } from '../appointment-types.js';
import { APPOINTMENT_TYPE_SYSTEM, entriesOf, formatWhen, localDay } from '../fhir-resources.js';
import { PatientPicker } from '../patient-picker.js';

interface OpenTime {
  readonly slot: Slot;
  readonly practitioner?: string;
  readonly site?: string;
}

/** Open times from `Appointment/$find`, each booked with one click through `Appointment/$book`. */
export function OpenTimes({ patient, onPatient, practitioner, location, onBooked }: {
  patient: Patient | undefined;
  onPatient: (patient: Patient | undefined) => void;
  practitioner: string;
  location: string;
  onBooked: (appointment: Appointment) => void;
}) {
  const { api } = useSession();
  const practitioners = usePractitioners();
  const [type, setType] = useState('follow-up');
  const typeOptions = useAppointmentTypeOptions();
  const [from, setFrom] = useState(localDay(new Date()));
  const names = new Map((practitioners.data ?? []).map((p) => [`Practitioner/${p.id}`, personName(p.name)]));

  const find = useMutation({
    mutationFn: async (): Promise<OpenTime[]> => {
      const start = new Date(`${from}T00:00:00`);
      const query = new URLSearchParams({ 'appointment-type': type, start: (start < new Date() ? new Date() : start).toISOString(), end: new Date(start.getTime() + 14 * 86_400_000).toISOString(), _count: '12' });
      if (practitioner) query.set('practitioner', practitioner);
      if (location) query.set('location', location);
      const bundle = await api.get<Bundle>(`/fhir/R4/Appointment/$find?${query.toString()}`);
      const schedules = new Map(entriesOf<Schedule>(bundle, 'Schedule').map((s) => [`Schedule/${s.id}`, s]));
      return entriesOf<Slot>(bundle, 'Slot').map((slot) => {
        const actors = schedules.get(slot.schedule.reference ?? '')?.actor ?? [];
        return { slot, practitioner: actors.find((a) => a.reference?.startsWith('Practitioner/'))?.reference, site: actors.find((a) => a.reference?.startsWith('Location/'))?.reference };
      });
    },
  });
  const book = useMutation({
    mutationFn: (time: OpenTime) =>
      api.post<Appointment>('/fhir/R4/Appointment/$book', {
        resourceType: 'Appointment',
        status: 'booked',
        appointmentType: { coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code: type }] },
        start: time.slot.start,
        end: time.slot.end,
        participant: [
          { actor: { reference: `Patient/${patient!.id}` }, status: 'accepted' },
          ...(time.practitioner ? [{ actor: { reference: time.practitioner }, status: 'accepted' as const }] : []),
          ...(time.site ? [{ actor: { reference: time.site }, status: 'accepted' as const }] : []),
        ],
      } satisfies Appointment),
    onSuccess: (appointment) => {
      find.reset();
      onBooked(appointment);
    },
  });
  const times = find.data ?? [];

  return (
    <Fieldset legend="Book from open times">
      <Stack>
        <PatientPicker label="Patient" value={patient} onChange={onPatient} />
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <NativeSelect label="Appointment type" value={type} onChange={(e) => setType(e.currentTarget.value)} data={typeOptions} />
          <TextInput label="Open times from" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <Group align="flex-end">
            <Button onClick={() => find.mutate()} loading={find.isPending} variant="light">
              Find open times
            </Button>
          </Group>
        </SimpleGrid>
        <Text size="sm" c="gray.7">
          The practitioner and location chosen above narrow the search.
        </Text>
        {(find.error ?? book.error) && (
          <Alert color="red" role="alert" title={book.error ? 'The appointment was not booked' : 'Open times could not be found'}>
            {describeError(book.error ?? find.error)}
          </Alert>
        )}
        {find.isSuccess && times.length === 0 && <Text role="status">No open time in the two weeks from {from}. Try another practitioner, type or date.</Text>}
        {times.length > 0 && (
          <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Open times">
            {!patient && <Text role="status">Choose the patient first, then an open time.</Text>}
            {times.map((time) => (
              <li key={`${time.slot.schedule.reference}-${time.slot.start}`}>
                <Button variant="default" disabled={!patient || book.isPending} onClick={() => book.mutate(time)}>
                  Book {formatWhen(time.slot.start)} with {(time.practitioner && names.get(time.practitioner)) ?? 'the practitioner'}
                </Button>
              </li>
            ))}
          </Stack>
        )}
      </Stack>
    </Fieldset>
  );
}
