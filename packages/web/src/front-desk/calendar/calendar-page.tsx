import type { DatesSetArg, EventClickArg, EventDropArg } from '@fullcalendar/core';
import interactionPlugin from '@fullcalendar/interaction';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import type { Appointment, Bundle, Patient } from '@medplum/fhirtypes';
import { Alert, Group, NativeSelect, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { PageLoader } from '../../shell/page-loader.js';
import { isRoom, personName, useLocations, usePractitioners } from '../directory.js';
import { entriesOf, formatWhen, parameters, participantsOf } from '../fhir-resources.js';
import { usePatientNames } from '../patient-names.js';
import { AppointmentActions } from './appointment-actions.js';
import { appointmentEvent, STATUS_STYLE } from './appointment-events.js';
import { OpenTimes } from './open-times.js';

const HIDDEN = new Set(['cancelled', 'entered-in-error', 'waitlist', 'proposed']);

/**
 * The schedule by practitioner, site and room, a day or a week at a time. Dragging a booked
 * appointment asks the server to move it (`$reschedule`); a refused move snaps back and says why.
 */
export default function CalendarPage() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const calendar = useRef<FullCalendar>(null);
  const [range, setRange] = useState<{ start: string; end: string }>();
  const [practitioner, setPractitioner] = useState('');
  const [site, setSite] = useState('');
  const [room, setRoom] = useState('');
  // null: the clerk set aside the patient the page was opened for.
  const [patient, setPatient] = useState<Patient | null>();
  const [message, setMessage] = useState<{ tone: 'green' | 'red'; title: string; text: string }>();
  const [selected, setSelected] = useState<Appointment>();
  const practitioners = usePractitioners();
  const locations = useLocations();
  const preset = params.get('patient');
  const presetPatient = useQuery({ queryKey: ['Patient', preset], enabled: Boolean(preset), queryFn: () => api.get<Patient>(`/fhir/R4/Patient/${encodeURIComponent(preset!)}`) });
  const chosenPatient = patient === undefined ? presetPatient.data : (patient ?? undefined);

  const appointments = useQuery({
    queryKey: ['Appointment', 'calendar', range, practitioner, site, room],
    enabled: Boolean(range),
    queryFn: async () => {
      const query = new URLSearchParams({ _count: '500', _sort: 'date' });
      query.append('date', `ge${range!.start}`);
      query.append('date', `lt${range!.end}`);
      if (practitioner) query.set('practitioner', practitioner);
      const place = room || site;
      if (place) query.set('location', place);
      return entriesOf<Appointment>(await api.get<Bundle>(`/fhir/R4/Appointment?${query.toString()}`), 'Appointment').filter((a) => !HIDDEN.has(a.status));
    },
  });
  const shown = appointments.data ?? [];
  const names = usePatientNames(shown.flatMap((a) => participantsOf(a, 'Patient')));
  const events = shown.flatMap((a) => appointmentEvent(a, names.data ?? new Map()) ?? []);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['Appointment'] });

  const onDrop = async (drop: EventDropArg) => {
    const moved = drop.event.start!;
    try {
      await api.post(`/fhir/R4/Appointment/${drop.event.id}/$reschedule`, parameters({ name: 'start', valueInstant: moved.toISOString() }));
      setMessage({ tone: 'green', title: 'Appointment moved', text: `${drop.event.title.split(' · ')[0]} is now ${formatWhen(moved.toISOString())}.` });
      await refresh();
    } catch (error) {
      drop.revert();
      setMessage({ tone: 'red', title: 'The appointment was not moved', text: describeError(error) });
    }
  };
  const onClick = (click: EventClickArg) => setSelected(shown.find((a) => a.id === click.event.id));
  const onBooked = async (appointment: Appointment) => {
    setMessage({ tone: 'green', title: 'Appointment booked', text: `${chosenPatient ? personName(chosenPatient.name) : 'The patient'} is booked for ${formatWhen(appointment.start)}.` });
    calendar.current?.getApi().changeView('timeGridDay', appointment.start);
    await refresh();
  };

  const sites = (locations.data ?? []).filter((l) => !isRoom(l));
  const rooms = (locations.data ?? []).filter(isRoom);
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <NativeSelect label="Practitioner" value={practitioner} onChange={(e) => setPractitioner(e.currentTarget.value)} data={[{ value: '', label: 'All practitioners' }, ...(practitioners.data ?? []).map((p) => ({ value: `Practitioner/${p.id}`, label: personName(p.name) }))]} />
        <NativeSelect label="Location" value={site} onChange={(e) => setSite(e.currentTarget.value)} data={[{ value: '', label: 'All locations' }, ...sites.map((l) => ({ value: `Location/${l.id}`, label: l.name ?? l.id! }))]} />
        <NativeSelect label="Room" value={room} onChange={(e) => setRoom(e.currentTarget.value)} data={[{ value: '', label: 'Any room' }, ...rooms.map((l) => ({ value: `Location/${l.id}`, label: l.name ?? l.id! }))]} />
      </SimpleGrid>
      {message && (
        <Alert color={message.tone} role={message.tone === 'red' ? 'alert' : 'status'} title={message.title} withCloseButton closeButtonLabel="Dismiss" onClose={() => setMessage(undefined)}>
          {message.text}
        </Alert>
      )}
      {appointments.isError && (
        <Alert color="red" role="alert" title="The appointments could not be loaded">
          {describeError(appointments.error)}
        </Alert>
      )}
      <Paper withBorder p="xs" aria-label="Appointment calendar" component="section" aria-busy={appointments.isFetching}>
        {appointments.isPending && range && <PageLoader label="Loading appointments" />}
        <FullCalendar
          ref={calendar}
          plugins={[timeGridPlugin, interactionPlugin]}
          initialView={params.get('view') === 'week' ? 'timeGridWeek' : 'timeGridDay'}
          initialDate={params.get('date') ?? undefined}
          headerToolbar={{ left: 'prev,next today', center: 'title', right: 'timeGridDay,timeGridWeek' }}
          // Words, not icon glyphs: FullCalendar's icons are role="img" without a text alternative.
          buttonIcons={false}
          buttonText={{ prev: 'Previous', next: 'Next', today: 'Today', day: 'Day', week: 'Week' }}
          buttonHints={{ prev: 'Previous $0', next: 'Next $0', today: 'Go to today' }}
          height="auto"
          allDaySlot={false}
          slotMinTime="07:00:00"
          slotMaxTime="19:00:00"
          snapDuration="00:10:00"
          nowIndicator
          editable
          eventDurationEditable={false}
          eventStartEditable
          events={events}
          datesSet={(dates: DatesSetArg) => setRange((current) => (current?.start === dates.startStr && current.end === dates.endStr ? current : { start: dates.start.toISOString(), end: dates.end.toISOString() }))}
          eventDrop={(drop) => void onDrop(drop)}
          eventClick={onClick}
        />
        {appointments.isSuccess && shown.length === 0 && (
          <Text role="status" mt="xs">
            No appointments in this view.
          </Text>
        )}
      </Paper>
      <Group gap="md" aria-label="Colours by status" role="list">
        {['booked', 'arrived', 'fulfilled', 'noshow'].map((status) => (
          <Group key={status} gap={4} role="listitem">
            <span aria-hidden style={{ display: 'inline-block', width: 14, height: 14, borderRadius: 3, background: STATUS_STYLE[status]!.colour }} />
            <Text size="sm">{STATUS_STYLE[status]!.label}</Text>
          </Group>
        ))}
      </Group>
      <OpenTimes patient={chosenPatient} onPatient={(p) => setPatient(p ?? null)} practitioner={practitioner} location={site} onBooked={(a) => void onBooked(a)} />
      {selected && (
        <AppointmentActions
          appointment={selected}
          patientName={names.data?.get(participantsOf(selected, 'Patient')[0] ?? '') ?? 'Patient'}
          onClose={() => setSelected(undefined)}
          onChanged={(text) => {
            setSelected(undefined);
            setMessage({ tone: 'green', title: 'Appointment updated', text });
            void refresh();
          }}
        />
      )}
    </Stack>
  );
}
