import type { Appointment, Communication, Patient } from '@medplum/fhirtypes';
import { Alert, Anchor, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { describeError } from '../api/problem.js';
import { patientName } from '../patients/patient-facts.js';
import type { Patient as ChartPatient } from '../patients/patient.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useMe, useSession } from '../session/session-context.js';
import { dateText, dateTimeText, periodText } from '../portal/clinical-text.js';
import { appointmentKind } from '../portal/appointment-kinds.js';
import { MessageThreadView } from '../portal/message-thread-view.js';
import { messageThreads, PORTAL_MESSAGE_TOKEN, replyTo, type MessageThread } from '../portal/message-threads.js';
import { includedOf, useSearch } from '../portal/portal-queries.js';

/** What patients sent the practice from the portal: messages to answer and appointment requests to schedule. */
export default function InboxPage() {
  const messages = useSearch<Communication>('Communication', `category=${encodeURIComponent(PORTAL_MESSAGE_TOKEN)}&_sort=-sent&_count=300&_include=Communication:subject`);
  const requests = useSearch<Appointment>('Appointment', 'status=proposed&_count=200&_include=Appointment:patient');
  if (messages.isPending) return <PageLoader label="Loading the inbox" />;
  if (messages.isError) {
    return (
      <Alert color="red" title="The inbox could not be loaded" role="alert">
        {describeError(messages.error)}
      </Alert>
    );
  }
  const patients = includedOf(messages.data.bundle);
  const threads = messageThreads(messages.data.resources).sort((a, b) => Number(b.awaitingPractice) - Number(a.awaitingPractice));
  const nameOf = (reference: string | undefined, included = patients) => {
    const patient = reference ? (included.get(reference) as Patient | undefined) : undefined;
    return patient ? patientName(patient as ChartPatient) : 'Patient';
  };
  return (
    <Stack>
      <Title order={1} size="h2">
        Patient inbox
      </Title>
      <Paper withBorder p="md" component="section" aria-labelledby="requests-title">
        <Title order={2} size="h3" id="requests-title" mb="xs">
          Appointment requests
        </Title>
        {requests.isPending ? (
          <Text>Loading…</Text>
        ) : requests.isError ? (
          <Alert color="red" role="alert">
            {describeError(requests.error)}
          </Alert>
        ) : requests.data.resources.length === 0 ? (
          <Text c="gray.7">No open requests.</Text>
        ) : (
          <ScrollTable label="Appointment requests" minWidth={640}>
            <Table striped aria-labelledby="requests-title">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Patient</Table.Th>
                  <Table.Th scope="col">Visit</Table.Th>
                  <Table.Th scope="col">Preferred</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col">Asked on</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {requests.data.resources.map((appointment) => {
                  const patient = appointment.participant.find((p) => p.actor?.reference?.startsWith('Patient/'))?.actor?.reference;
                  return (
                    <Table.Tr key={appointment.id}>
                      <Table.Td>
                        {patient ? (
                          <Anchor component={Link} to={`/app/patients/${patient.split('/')[1]}`}>
                            {nameOf(patient, includedOf(requests.data.bundle))}
                          </Anchor>
                        ) : (
                          'Patient'
                        )}
                      </Table.Td>
                      <Table.Td>{appointmentKind(appointment)}</Table.Td>
                      <Table.Td>{periodText(appointment.requestedPeriod?.[0])}</Table.Td>
                      <Table.Td>{appointment.description}</Table.Td>
                      <Table.Td>{dateText(appointment.created)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Paper>
      <Title order={2} size="h3">
        Messages from patients
      </Title>
      {threads.length === 0 ? (
        <Text c="gray.7">No messages.</Text>
      ) : (
        threads.map((thread) => <PracticeThread key={thread.id} thread={thread} heading={`${nameOf(thread.patient)}: ${thread.topic} (${dateTimeText(thread.lastSent)})`} />)
      )}
    </Stack>
  );
}

function PracticeThread({ thread, heading }: { thread: MessageThread; heading: string }) {
  const { api } = useSession();
  const me = useMe();
  const queryClient = useQueryClient();
  // A practitioner answers as themselves; other staff as a named member of the practice.
  const from = me.fhirUser?.startsWith('Practitioner/') ? { reference: me.fhirUser, display: me.displayName } : { display: `${me.displayName} (${me.roleName})` };
  const reply = useMutation({
    mutationFn: (text: string) => api.post('/fhir/R4/Communication', replyTo(thread, from, text, new Date())),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['Communication'] }),
  });
  return <MessageThreadView thread={thread} heading={heading} viewer="practice" replying={reply.isPending} error={reply.error} onReply={(text) => reply.mutateAsync(text)} />;
}
