import type { Appointment, Bundle, Coverage, Organization, Patient } from '@medplum/fhirtypes';
import { Alert, Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { describeError } from '../api/problem.js';
import { PatientBanner } from '../patients/patient-banner.js';
import type { Patient as BannerPatient } from '../patients/patient.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useSession } from '../session/session-context.js';
import { STATUS_STYLE } from './calendar/appointment-events.js';
import { entriesOf, formatWhen, localDay } from './fhir-resources.js';
import { coverageEntries, coverageProblems, EMPTY_COVERAGE, type CoverageDraft } from './insurance/coverage-draft.js';
import { CoverageFields } from './insurance/coverage-fields.js';
import { CoverageList } from './insurance/coverage-list.js';

/** One patient at the desk: who they are, their insurance (add a card), their appointments. */
export default function PatientDeskPage() {
  const { api } = useSession();
  const { id = '' } = useParams();
  const location = useLocation();
  const queryClient = useQueryClient();
  const record = useQuery({
    queryKey: ['front-desk', 'patient', id],
    queryFn: async () => {
      const [patient, coverages, appointments] = await Promise.all([
        api.get<Patient>(`/fhir/R4/Patient/${encodeURIComponent(id)}`),
        api.get<Bundle>(`/fhir/R4/Coverage?beneficiary=Patient/${encodeURIComponent(id)}&_count=50`),
        api.get<Bundle>(`/fhir/R4/Appointment?patient=Patient/${encodeURIComponent(id)}&date=ge${localDay(new Date())}&_sort=date&_count=20`),
      ]);
      const coverageList = entriesOf<Coverage>(coverages, 'Coverage');
      const payerIds = [...new Set(coverageList.flatMap((c) => c.payor.map((p) => p.reference?.split('/')[1] ?? '')).filter(Boolean))];
      const payers = payerIds.length ? entriesOf<Organization>(await api.get<Bundle>(`/fhir/R4/Organization?_id=${payerIds.join(',')}`), 'Organization') : [];
      return { patient, coverages: coverageList, appointments: entriesOf<Appointment>(appointments, 'Appointment'), payers: new Map(payers.map((o) => [`Organization/${o.id}`, o])) };
    },
  });
  const [adding, setAdding] = useState(false);
  const [coverage, setCoverage] = useState<CoverageDraft>(EMPTY_COVERAGE);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const addCoverage = useMutation({
    mutationFn: () => api.post('/fhir/R4', { resourceType: 'Bundle', type: 'transaction', entry: coverageEntries(coverage, `Patient/${id}`, () => crypto.randomUUID()) }),
    onSuccess: async () => {
      setAdding(false);
      setCoverage(EMPTY_COVERAGE);
      await queryClient.invalidateQueries({ queryKey: ['front-desk', 'patient', id] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems = coverageProblems(coverage);
    setErrors(problems);
    if (Object.keys(problems).length === 0) addCoverage.mutate();
  };

  if (record.isPending) return <PageLoader label="Loading the patient" />;
  if (record.isError) {
    return (
      <Alert color="red" title="The patient could not be opened" role="alert">
        {describeError(record.error)}
      </Alert>
    );
  }
  const { patient, coverages, appointments, payers } = record.data;
  return (
    <Stack>
      {(location.state as { registered?: boolean } | null)?.registered && (
        <Alert color="green" role="status" title="Patient registered">
          The patient, their contacts, privacy acknowledgement and insurance were saved together.
        </Alert>
      )}
      <PatientBanner patient={patient as unknown as BannerPatient} />
      <Group>
        <Button component={Link} to={`/app/front-desk/calendar?patient=${patient.id}`}>
          Book an appointment
        </Button>
        <Button component={Link} to={`/app/front-desk/waitlist?patient=${patient.id}`} variant="default">
          Add to the waitlist
        </Button>
      </Group>
      <Title order={2} size="h3">
        Insurance
      </Title>
      <CoverageList coverages={coverages} payers={payers} day={localDay(new Date())} />
      {adding ? (
        <Stack component="form" onSubmit={submit}>
          <CoverageFields legend="New insurance card" value={coverage} onChange={setCoverage} errors={errors} />
          {addCoverage.isError && (
            <Alert color="red" role="alert" title="The insurance was not saved">
              {describeError(addCoverage.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={addCoverage.isPending}>
              Save insurance
            </Button>
            <Button variant="default" onClick={() => setAdding(false)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      ) : (
        <Group>
          <Button variant="light" onClick={() => setAdding(true)}>
            Add insurance
          </Button>
        </Group>
      )}
      <Title order={2} size="h3">
        Upcoming appointments
      </Title>
      {appointments.length === 0 ? (
        <Text role="status">No upcoming appointments.</Text>
      ) : (
        <ScrollTable label="Upcoming appointments (scrollable)" minWidth={480}>
          <Table aria-label="Upcoming appointments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Action</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {appointments.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{formatWhen(a.start)}</Table.Td>
                  <Table.Td>{STATUS_STYLE[a.status]?.label ?? a.status}</Table.Td>
                  <Table.Td>
                    {a.status === 'booked' && (
                      <Anchor component={Link} to={`/app/front-desk/check-in/${a.id}`}>
                        Check in
                      </Anchor>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Stack>
  );
}
