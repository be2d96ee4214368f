import type { Parameters } from '@medplum/fhirtypes';
import { Alert, Anchor, Badge, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { describeError } from '../../api/problem.js';
import { PageLoader } from '../../shell/page-loader.js';
import { ScrollTable } from '../../shell/scroll-table.js';
import { useSession } from '../../session/session-context.js';
import { personName, usePractitioners } from '../directory.js';
import { formatTime, idOf, localDay, parameters } from '../fhir-resources.js';
import { byPractitioner, dayViewRows, nextSteps } from './day-view-rows.js';

const STATUS_COLOUR: Record<string, string> = { booked: 'blue.9', arrived: '#1f6f31', 'in room': 'teal.9', 'with clinician': 'violet.9', 'checked out': 'gray.8', 'no-show': 'red.9' };

/** The desk's day: each practitioner's appointments with status, minutes waited and the next step. */
export default function DayViewPage() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [day, setDay] = useState(localDay(new Date()));
  const practitioners = usePractitioners();
  const names = new Map((practitioners.data ?? []).map((p) => [`Practitioner/${p.id}`, personName(p.name)]));
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const view = useQuery({
    queryKey: ['Appointment', 'day-view', day],
    queryFn: async () => dayViewRows(await api.get<Parameters>(`/fhir/R4/Appointment/$day-view?date=${day}&timezone=${encodeURIComponent(timezone)}`)),
    refetchInterval: 60_000,
  });
  const step = useMutation({
    mutationFn: ({ appointment, code }: { appointment: string; code: string }) => api.post(`/fhir/R4/${appointment}/$visit-status`, parameters({ name: 'status', valueCode: code })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['Appointment'] }),
  });
  const groups = byPractitioner(view.data ?? []);

  return (
    <Stack>
      <Group align="flex-end" justify="space-between">
        <Title order={2} size="h3">
          Appointments on {day}
        </Title>
        <TextInput label="Day" type="date" value={day} onChange={(e) => e.currentTarget.value && setDay(e.currentTarget.value)} />
      </Group>
      {step.isError && (
        <Alert color="red" role="alert" title="The status was not changed">
          {describeError(step.error)}
        </Alert>
      )}
      {view.isPending && <PageLoader label="Loading the day" />}
      {view.isError && (
        <Alert color="red" role="alert" title="The day could not be loaded">
          {describeError(view.error)}
        </Alert>
      )}
      {view.isSuccess && groups.size === 0 && (
        <Text role="status">
          No appointments on {day}.{' '}
          <Anchor component={Link} to="/app/front-desk/calendar">
            Open the calendar
          </Anchor>{' '}
          to book one.
        </Text>
      )}
      {[...groups.entries()].map(([practitioner, rows]) => {
        const name = names.get(practitioner) ?? (practitioner === 'unassigned' ? 'No practitioner' : practitioner);
        return (
          <section key={practitioner} aria-label={name}>
            <Title order={3} size="h4" mb="xs">
              {name}
            </Title>
            <ScrollTable label={`Appointments with ${name} (scrollable)`} minWidth={720}>
              <Table striped aria-label={`Appointments with ${name}`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Patient</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Waited</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((row) => (
                    <Table.Tr key={row.appointment}>
                      <Table.Td>{formatTime(row.start)}</Table.Td>
                      <Table.Td>
                        {row.patient ? (
                          <Anchor component={Link} to={`/app/front-desk/patients/${idOf(row.patient)}`}>
                            {row.patientName ?? 'Patient'}
                          </Anchor>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>{row.type ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLOUR[row.status] ?? 'gray.8'}>{row.status}</Badge>
                      </Table.Td>
                      <Table.Td>{row.waitMinutes !== undefined ? `${row.waitMinutes} min` : '—'}</Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="wrap">
                          {row.status === 'booked' && (
                            <Button component={Link} to={`/app/front-desk/check-in/${idOf(row.appointment)}`} size="compact-sm">
                              Check in {row.patientName}
                            </Button>
                          )}
                          {nextSteps(row.status).map((s) => (
                            <Button
                              key={s.code}
                              size="compact-sm"
                              variant="default"
                              loading={step.isPending && step.variables?.appointment === row.appointment && step.variables.code === s.code}
                              onClick={() => step.mutate({ appointment: row.appointment, code: s.code })}
                              aria-label={`${s.label}: ${row.patientName ?? 'patient'} at ${formatTime(row.start)}`}
                            >
                              {s.label}
                            </Button>
                          ))}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          </section>
        );
      })}
    </Stack>
  );
}
