import type { Appointment, Parameters } from '@medplum/fhirtypes';
import { Alert, Badge, Button, Group, NativeSelect, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { useSession } from '../session/session-context.js';
import { dateTimeText, periodText } from './clinical-text.js';
import { OpenTimes } from './open-times.js';
import { APPOINTMENT_KINDS, APPOINTMENT_TYPE_SYSTEM, appointmentKind, appointmentRequest, bookingOf, isUpcoming, practitionerOf, type OpenTime } from './appointment-kinds.js';
import { useOwnPatientId, useSearch } from './portal-queries.js';

const STATUS: Record<string, { label: string; color: string }> = {
  proposed: { label: 'Requested', color: 'violet.9' },
  pending: { label: 'Waiting for the practice', color: 'violet.9' },
  booked: { label: 'Booked', color: 'teal.9' },
  arrived: { label: 'Checked in', color: 'blue.8' },
  'checked-in': { label: 'Checked in', color: 'blue.8' },
  fulfilled: { label: 'Done', color: 'gray.7' },
  cancelled: { label: 'Cancelled', color: 'red.8' },
  noshow: { label: 'Missed', color: 'red.8' },
  waitlist: { label: 'On the waiting list', color: 'violet.9' },
};

/** Upcoming and past appointments; request one, book an open time, move or cancel within the practice's rules. */
export default function AppointmentsPage() {
  const patientId = useOwnPatientId();
  const appointments = useSearch<Appointment>('Appointment', `patient=Patient/${patientId}&_count=200`);
  if (appointments.isPending) return <PageLoader label="Loading your appointments" />;
  if (appointments.isError) {
    return (
      <Alert color="red" title="Your appointments could not be loaded" role="alert">
        {describeError(appointments.error)}
      </Alert>
    );
  }
  const now = new Date();
  const time = (a: Appointment) => new Date(a.start ?? a.requestedPeriod?.[0]?.start ?? a.created ?? 0).getTime();
  const upcoming = appointments.data.resources.filter((a) => isUpcoming(a, now)).sort((a, b) => time(a) - time(b));
  const past = appointments.data.resources.filter((a) => !isUpcoming(a, now)).sort((a, b) => time(b) - time(a));
  return (
    <Stack>
      <Title order={1} size="h2">
        My appointments
      </Title>
      <Paper withBorder p="md" component="section" aria-labelledby="upcoming-title">
        <Title order={2} size="h3" id="upcoming-title" mb="xs">
          Upcoming
        </Title>
        {upcoming.length === 0 ? <Text c="gray.7">No upcoming appointments.</Text> : <Stack>{upcoming.map((a) => <UpcomingAppointment key={a.id} appointment={a} />)}</Stack>}
      </Paper>
      <NewAppointment patientId={patientId} />
      <Paper withBorder p="md" component="section" aria-labelledby="past-title">
        <Title order={2} size="h3" id="past-title" mb="xs">
          Past
        </Title>
        {past.length === 0 ? (
          <Text c="gray.7">No past appointments.</Text>
        ) : (
          <Stack gap="xs">
            {past.map((a) => (
              <AppointmentSummary key={a.id} appointment={a} />
            ))}
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}

function AppointmentSummary({ appointment }: { appointment: Appointment }) {
  const status = STATUS[appointment.status] ?? { label: appointment.status, color: 'gray.7' };
  const who = practitionerOf(appointment)?.display;
  return (
    <Group gap="sm" wrap="wrap">
      <Text fw={600}>{appointment.start ? dateTimeText(appointment.start) : `Preferred ${periodText(appointment.requestedPeriod?.[0])}`}</Text>
      <Text>{appointmentKind(appointment)}</Text>
      {who && <Text c="gray.7">with {who}</Text>}
      {appointment.description && <Text c="gray.7">— {appointment.description}</Text>}
      <Badge color={status.color}>{status.label}</Badge>
    </Group>
  );
}

function UpcomingAppointment({ appointment }: { appointment: Appointment }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'none' | 'move' | 'cancel'>('none');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const done = () => {
    setMode('none');
    return queryClient.invalidateQueries({ queryKey: ['Appointment'] });
  };
  const move = useMutation({
    mutationFn: (time: OpenTime) => api.post(`/fhir/R4/Appointment/${appointment.id}/$reschedule`, { resourceType: 'Parameters', parameter: [{ name: 'start', valueDateTime: time.slot.start }] } satisfies Parameters),
    onSuccess: done,
  });
  const cancel = useMutation({
    mutationFn: () => api.post(`/fhir/R4/Appointment/${appointment.id}/$cancel`, { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: reason.trim() }] } satisfies Parameters),
    onSuccess: done,
  });
  const submitCancel = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setReasonError('Tell the practice why, in a few words');
    setReasonError(undefined);
    cancel.mutate();
  };
  const kind = appointment.appointmentType?.coding?.find((c) => c.system === APPOINTMENT_TYPE_SYSTEM)?.code;
  const booked = appointment.status === 'booked';
  return (
    <Paper withBorder p="sm" component="article" aria-label={`${appointmentKind(appointment)} ${appointment.start ? dateTimeText(appointment.start) : 'requested'}`}>
      <Stack gap="xs">
        <AppointmentSummary appointment={appointment} />
        <Group gap="xs">
          {booked && kind && (
            <Button size="xs" variant="light" onClick={() => setMode(mode === 'move' ? 'none' : 'move')}>
              Reschedule
            </Button>
          )}
          <Button size="xs" variant="light" color="red" onClick={() => setMode(mode === 'cancel' ? 'none' : 'cancel')}>
            {appointment.status === 'proposed' ? 'Withdraw the request' : 'Cancel'}
          </Button>
        </Group>
        {mode === 'move' && kind && (
          <OpenTimes kind={kind} practitioner={practitionerOf(appointment)?.reference} action="Move to" busy={move.isPending} onChoose={(time) => move.mutate(time)} />
        )}
        {mode === 'cancel' && (
          <form onSubmit={submitCancel} noValidate>
            <Group align="flex-end">
              <TextInput label="Reason for cancelling" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} error={reasonError} />
              <Button type="submit" color="red" loading={cancel.isPending}>
                Confirm cancellation
              </Button>
            </Group>
          </form>
        )}
        {(move.isError || cancel.isError) && (
          <Alert color="red" role="alert">
            {describeError(move.error ?? cancel.error)}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

const isoDay = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** Ask for an appointment (the practice offers a time), or book one of the open times directly. */
function NewAppointment({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const today = new Date();
  const [kind, setKind] = useState<string>(APPOINTMENT_KINDS[0].code);
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() + 86_400_000)));
  const [to, setTo] = useState(isoDay(new Date(today.getTime() + 14 * 86_400_000)));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  const [browsing, setBrowsing] = useState(false);
  const [sent, setSent] = useState<string | undefined>();
  const settle = (message: string) => {
    setSent(message);
    setBrowsing(false);
    setReason('');
    return queryClient.invalidateQueries({ queryKey: ['Appointment'] });
  };
  const request = useMutation({
    mutationFn: () => api.post<Appointment>('/fhir/R4/Appointment', appointmentRequest(patientId, kind, from, to, reason.trim(), new Date())),
    onSuccess: () => settle('Your request was sent. The practice will offer you a time.'),
  });
  const book = useMutation({
    mutationFn: (time: OpenTime) => api.post<Appointment>('/fhir/R4/Appointment/$book', bookingOf(patientId, time, reason.trim())),
    onSuccess: (appointment) => settle(`Booked for ${dateTimeText(appointment.start)}.`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = {
      from: from && from >= isoDay(today) ? undefined : 'Choose a day from today on',
      to: to && to >= from ? undefined : 'Choose a day on or after the first',
    };
    setErrors(next);
    if (next.from || next.to) return;
    setSent(undefined);
    request.mutate();
  };
  const problem = request.error ?? book.error;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="request-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="request-title">
            Request an appointment
          </Title>
          {sent && (
            <Alert color="blue" role="status" title="Done">
              <Text size="sm" c="dark.8">{sent}</Text>
            </Alert>
          )}
          {problem && (
            <Alert color="red" role="alert" title="Not sent">
              {describeError(problem)}
            </Alert>
          )}
          <Group align="flex-start" grow>
            <NativeSelect label="Kind of visit" data={APPOINTMENT_KINDS.map((k) => ({ value: k.code, label: k.label }))} value={kind} onChange={(e) => setKind(e.currentTarget.value)} />
            <TextInput label="Earliest day" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} error={errors.from} />
            <TextInput label="Latest day" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={errors.to} />
          </Group>
          <Textarea label="Reason for the visit" description="Optional; it helps the practice plan the visit" value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} />
          <Group>
            <Button type="submit" loading={request.isPending}>
              Send the request
            </Button>
            <Button variant="light" onClick={() => setBrowsing(!browsing)}>
              {browsing ? 'Hide open times' : 'Or choose an open time now'}
            </Button>
          </Group>
          {browsing && <OpenTimes kind={kind} action="Book" busy={book.isPending} onChoose={(time) => book.mutate(time)} />}
        </Stack>
      </form>
    </Paper>
  );
}
