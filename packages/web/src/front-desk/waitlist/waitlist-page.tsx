import type { Appointment, Bundle, Patient, Task } from '@medplum/fhirtypes';
import { Alert, Button, Fieldset, Group, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../../api/problem.js';
import { PageLoader } from '../../shell/page-loader.js';
import { ScrollTable } from '../../shell/scroll-table.js';
import { useSession } from '../../session/session-context.js';
import { personName, usePractitioners } from '../directory.js';
import { useAppointmentTypeOptions } from '../appointment-types.js';
import { APPOINTMENT_TYPE_SYSTEM, entriesOf, formatWhen, idOf, participantsOf } from '../fhir-resources.js';
import { usePatientNames } from '../patient-names.js';
import { PatientPicker } from '../patient-picker.js';

const WAITLIST_OFFER = 'https://unichart.dev/fhir/CodeSystem/task-type|waitlist-offer';
const MINUTES: Record<string, number> = { 'follow-up': 20, 'new-patient': 40, 'annual-physical': 40, telehealth: 20, procedure: 60 };

/**
 * The waitlist: patients who want an earlier time (Appointments with status waitlist and the
 * period they can come), and the offers the server makes when a cancellation frees a time that
 * fits one of them (Tasks), each booked with one click.
 */
export default function WaitlistPage() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const practitioners = usePractitioners();
  const doctorNames = new Map((practitioners.data ?? []).map((p) => [`Practitioner/${p.id}`, personName(p.name)]));
  const list = useQuery({
    queryKey: ['Appointment', 'waitlist'],
    queryFn: async () => {
      const [waiting, offers] = await Promise.all([
        api.get<Bundle>('/fhir/R4/Appointment?status=waitlist&_count=200&_sort=_lastUpdated'),
        api.get<Bundle>(`/fhir/R4/Task?code=${encodeURIComponent(WAITLIST_OFFER)}&status=requested&_count=100`),
      ]);
      return { waiting: entriesOf<Appointment>(waiting, 'Appointment'), offers: entriesOf<Task>(offers, 'Task') };
    },
  });
  const names = usePatientNames([...(list.data?.waiting ?? []).flatMap((a) => participantsOf(a, 'Patient')), ...(list.data?.offers ?? []).flatMap((t) => (t.for?.reference ? [t.for.reference] : []))]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['Appointment'] });

  const preset = params.get('patient');
  const presetPatient = useQuery({ queryKey: ['Patient', preset], enabled: Boolean(preset), queryFn: () => api.get<Patient>(`/fhir/R4/Patient/${encodeURIComponent(preset!)}`) });
  const [picked, setPicked] = useState<Patient | null>();
  const patient = picked === undefined ? presetPatient.data : (picked ?? undefined);
  const [type, setType] = useState('follow-up');
  const typeOptions = useAppointmentTypeOptions();
  const [practitioner, setPractitioner] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [formError, setFormError] = useState<string>();
  const add = useMutation({
    mutationFn: () =>
      api.post<Appointment>('/fhir/R4/Appointment', {
        resourceType: 'Appointment',
        status: 'waitlist',
        created: new Date().toISOString(),
        appointmentType: { coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code: type }] },
        minutesDuration: MINUTES[type] ?? 20,
        requestedPeriod: [{ start: new Date(`${from}T00:00:00`).toISOString(), end: new Date(`${until}T23:59:59`).toISOString() }],
        participant: [
          { actor: { reference: `Patient/${patient!.id}` }, status: 'needs-action' },
          ...(practitioner ? [{ actor: { reference: practitioner }, status: 'needs-action' as const }] : []),
        ],
      } satisfies Appointment),
    onSuccess: async () => {
      setPicked(null);
      await refresh();
    },
  });
  const bookOffer = useMutation({
    mutationFn: async (offer: Task) => {
      const waiting = await api.get<Appointment>(`/fhir/R4/${offer.focus?.reference}`);
      const input = (name: string) => offer.input?.find((i) => i.type.text === name);
      const offeredPractitioner = input('practitioner')?.valueReference?.reference;
      const participant = [
        ...(waiting.participant ?? []).filter((p) => !p.actor?.reference?.startsWith('Practitioner/')).map((p) => ({ ...p, status: 'accepted' as const })),
        ...(offeredPractitioner ? [{ actor: { reference: offeredPractitioner }, status: 'accepted' as const }] : []),
      ];
      const booked = await api.post<Appointment>('/fhir/R4/Appointment/$book', { ...waiting, start: input('start')?.valueDateTime, end: input('end')?.valueDateTime, participant });
      await api.put(`/fhir/R4/Task/${offer.id}`, { ...offer, status: 'completed', output: [{ type: { text: 'appointment' }, valueReference: { reference: `Appointment/${booked.id}` } }] });
      return booked;
    },
    onSuccess: refresh,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!patient) return setFormError('Choose the patient first.');
    if (!from || !until) return setFormError('Enter the days the patient could come: from and until.');
    if (until < from) return setFormError('“Until” must not be before “from”.');
    setFormError(undefined);
    add.mutate();
  };

  return (
    <Stack>
      <Title order={2} size="h3">
        Waitlist offers
      </Title>
      {bookOffer.isSuccess && (
        <Alert color="green" role="status" title="Offered time booked">
          Booked for {formatWhen(bookOffer.data.start)}.
        </Alert>
      )}
      {bookOffer.isError && (
        <Alert color="red" role="alert" title="The offered time was not booked">
          {describeError(bookOffer.error)}
        </Alert>
      )}
      {list.isPending && <PageLoader label="Loading the waitlist" />}
      {list.isError && (
        <Alert color="red" role="alert" title="The waitlist could not be loaded">
          {describeError(list.error)}
        </Alert>
      )}
      {list.isSuccess && list.data.offers.length === 0 && <Text role="status">No open offers. When an appointment is cancelled, the freed time is offered here to the first patient it fits.</Text>}
      {(list.data?.offers.length ?? 0) > 0 && (
        <ScrollTable label="Waitlist offers (scrollable)" minWidth={600}>
          <Table aria-label="Waitlist offers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Freed time</Table.Th>
                <Table.Th>With</Table.Th>
                <Table.Th>Action</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data!.offers.map((offer) => {
                const start = offer.input?.find((i) => i.type.text === 'start')?.valueDateTime;
                const with_ = offer.input?.find((i) => i.type.text === 'practitioner')?.valueReference?.reference;
                const name = names.data?.get(offer.for?.reference ?? '') ?? 'Patient';
                return (
                  <Table.Tr key={offer.id}>
                    <Table.Td>{name}</Table.Td>
                    <Table.Td>{formatWhen(start)}</Table.Td>
                    <Table.Td>{(with_ && doctorNames.get(with_)) ?? with_ ?? '—'}</Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" onClick={() => bookOffer.mutate(offer)} loading={bookOffer.isPending && bookOffer.variables?.id === offer.id}>
                        Book {formatWhen(start)} for {name}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <Title order={2} size="h3">
        Waiting for an earlier time
      </Title>
      {list.isSuccess && list.data.waiting.length === 0 && <Text role="status">Nobody is on the waitlist.</Text>}
      {(list.data?.waiting.length ?? 0) > 0 && (
        <ScrollTable label="Waitlist (scrollable)" minWidth={600}>
          <Table aria-label="Waitlist" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>With</Table.Th>
                <Table.Th>Can come</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data!.waiting.map((w) => {
                const wanted = participantsOf(w, 'Practitioner')[0];
                const period = w.requestedPeriod?.[0];
                return (
                  <Table.Tr key={w.id}>
                    <Table.Td>{names.data?.get(participantsOf(w, 'Patient')[0] ?? '') ?? 'Patient'}</Table.Td>
                    <Table.Td>{typeOptions.find((t) => t.value === w.appointmentType?.coding?.[0]?.code)?.label ?? w.appointmentType?.text ?? '—'}</Table.Td>
                    <Table.Td>{wanted ? (doctorNames.get(wanted) ?? idOf(wanted)) : 'Anyone'}</Table.Td>
                    <Table.Td>{period ? `${period.start?.slice(0, 10) ?? '…'} to ${period.end?.slice(0, 10) ?? '…'}` : 'Any time'}</Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      <Stack component="form" onSubmit={submit}>
        <Fieldset legend="Add to the waitlist">
          <Stack>
            <PatientPicker label="Patient" value={patient} onChange={(p) => setPicked(p ?? null)} />
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
              <NativeSelect label="Appointment type" value={type} onChange={(e) => setType(e.currentTarget.value)} data={typeOptions} />
              <NativeSelect label="Practitioner" value={practitioner} onChange={(e) => setPractitioner(e.currentTarget.value)} data={[{ value: '', label: 'Anyone' }, ...(practitioners.data ?? []).map((p) => ({ value: `Practitioner/${p.id}`, label: personName(p.name) }))]} />
              <TextInput label="Can come from" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
              <TextInput label="Until" type="date" value={until} onChange={(e) => setUntil(e.currentTarget.value)} />
            </SimpleGrid>
          </Stack>
        </Fieldset>
        {(formError ?? add.error) && (
          <Alert color="red" role="alert" title="Not added">
            {formError ?? describeError(add.error)}
          </Alert>
        )}
        {add.isSuccess && (
          <Alert color="green" role="status">
            Added to the waitlist.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={add.isPending}>
            Add to the waitlist
          </Button>
        </Group>
      </Stack>
    </Stack>
  );
}
