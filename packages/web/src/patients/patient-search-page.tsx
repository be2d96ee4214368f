import { Alert, Anchor, Button, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useMe, useSession } from '../session/session-context.js';
import { WORKSPACES, workspacesFor } from '../shell/workspaces.js';
import { ageLabel, medicalRecordNumber, patientName, phoneOf, sexLabel } from './patient-facts.js';
import { patientSearchParams } from './patient-query.js';
import { resourcesOf, type Bundle, type Patient } from './patient.js';

export default function PatientSearchPage() {
  const { api } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const search = patientSearchParams(q);
  search.set('_count', '50');

  const result = useQuery({
    queryKey: ['Patient', 'search', q],
    queryFn: () => api.get<Bundle<Patient>>(`/fhir/R4/Patient?${search.toString()}`),
    enabled: q.trim().length > 0,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  };
  const patients = result.data ? resourcesOf(result.data) : [];
  const today = new Date();
  // The front desk registers whom it cannot find; other roles only look.
  const mayRegister = workspacesFor(useMe().policy).some((w) => w.key === WORKSPACES.frontDesk.key);

  return (
    <Stack>
      <Title order={1} size="h2">
        Patients
      </Title>
      <form onSubmit={submit} role="search" aria-label="Patient search">
        <Group align="flex-end">
          <TextInput
            label="Name, birth date, MRN or phone"
            description="For example: smith 1980-02-03, MRN12345 or (555) 123-4567"
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            style={{ flex: 1, minWidth: 240 }}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      {!q && <Text c="gray.7">Search by name, birth date, medical record number or phone.</Text>}
      {q && result.isPending && <PageLoader label="Searching patients" />}
      {result.isError && (
        <Alert color="red" title="The search failed" role="alert">
          {describeError(result.error)}
        </Alert>
      )}
      {result.isSuccess && patients.length === 0 && (
        <Text role="status">No patient matches “{q}”. Check the spelling, or search by birth date or MRN.</Text>
      )}
      {mayRegister && (
        <Group>
          <Button component={Link} to="/app/front-desk/register" variant="light">
            Register a new patient
          </Button>
        </Group>
      )}
      {patients.length > 0 && (
        <ScrollTable label="Matching patients (scrollable)" minWidth={600}>
          <Table striped highlightOnHover aria-label="Matching patients">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Birth date</Table.Th>
                <Table.Th>Sex</Table.Th>
                <Table.Th>MRN</Table.Th>
                <Table.Th>Phone</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {patients.map((patient) => (
                <Table.Tr key={patient.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/app/patients/${patient.id}`}>
                      {patientName(patient)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{patient.birthDate ? `${patient.birthDate} (${ageLabel(patient.birthDate, today)})` : '—'}</Table.Td>
                  <Table.Td>{sexLabel(patient.gender)}</Table.Td>
                  <Table.Td>{medicalRecordNumber(patient) ?? '—'}</Table.Td>
                  <Table.Td>{phoneOf(patient) ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
