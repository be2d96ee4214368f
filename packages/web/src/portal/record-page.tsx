import type { AllergyIntolerance, Condition, Encounter, Immunization, MedicationRequest, MedicationStatement, Patient } from '@medplum/fhirtypes';
import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { describeError } from '../api/problem.js';
import { ageLabel, medicalRecordNumber, patientName, sexLabel } from '../patients/patient-facts.js';
import type { Patient as BannerPatient } from '../patients/patient.js';
import { PageLoader } from '../shell/page-loader.js';
import { useSession } from '../session/session-context.js';
import { conceptText, dateText, periodText } from './clinical-text.js';
import { PortalSection } from './portal-section.js';
import { useOwnPatientId, useResource, useSearch } from './portal-queries.js';

/** The patient's own record: who they are, problems, medicines, allergies, immunizations and visits. */
export default function RecordPage() {
  const patientId = useOwnPatientId();
  const own = `patient=Patient/${patientId}`;
  const patient = useResource<Patient>('Patient', patientId);
  const problems = useSearch<Condition>('Condition', `${own}&_count=200`);
  const prescriptions = useSearch<MedicationRequest>('MedicationRequest', `${own}&_sort=-authoredon&_count=200`);
  const statements = useSearch<MedicationStatement>('MedicationStatement', `${own}&_count=200`);
  const allergies = useSearch<AllergyIntolerance>('AllergyIntolerance', `${own}&_count=200`);
  const immunizations = useSearch<Immunization>('Immunization', `${own}&_sort=-date&_count=200`);
  const visits = useSearch<Encounter>('Encounter', `${own}&_sort=-date&_count=100`);
  const sections = [patient, problems, prescriptions, statements, allergies, immunizations, visits];

  if (!patientId) return <Alert color="red" role="alert">Your account is not linked to a patient record. Please call the practice.</Alert>;
  if (patient.isPending) return <PageLoader label="Loading your record" />;
  if (patient.isError) {
    return (
      <Alert color="red" title="Your record could not be opened" role="alert">
        {describeError(patient.error)}
      </Alert>
    );
  }
  const medications = {
    ...prescriptions,
    isPending: prescriptions.isPending || statements.isPending,
    data: prescriptions.data && statements.data ? { resources: [...prescriptions.data.resources, ...statements.data.resources] } : undefined,
  };
  return (
    // data-ready lets the browser test time the page until every part has arrived.
    <Stack data-ready={sections.every((q) => !q.isPending) ? 'true' : 'false'}>
      <Group justify="space-between" align="flex-start">
        <Title order={1} size="h2">
          My record
        </Title>
        <DownloadRecord patientId={patientId} />
      </Group>
      <Demographics patient={patient.data} />
      <PortalSection
        title="Problems"
        query={problems}
        empty="No problems are recorded."
        columns={['Problem', 'Status', 'Since']}
        rowKey={(c) => c.id!}
        row={(c) => [conceptText(c.code), conceptText(c.clinicalStatus, ''), dateText(c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate)]}
      />
      <PortalSection<MedicationRequest | MedicationStatement>
        title="Medications"
        query={medications}
        empty="No medications are recorded."
        columns={['Medication', 'How to take it', 'Status', 'Since']}
        rowKey={(m) => `${m.resourceType}/${m.id}`}
        row={(m) => [
          conceptText(m.medicationCodeableConcept, m.medicationReference?.display ?? 'Medication'),
          (m.resourceType === 'MedicationRequest' ? m.dosageInstruction : m.dosage)?.map((d) => d.text).filter(Boolean).join('; ') ?? '',
          m.status,
          dateText(m.resourceType === 'MedicationRequest' ? m.authoredOn : (m.effectiveDateTime ?? m.effectivePeriod?.start ?? m.dateAsserted)),
        ]}
      />
      <PortalSection
        title="Allergies"
        query={allergies}
        empty="No allergies are recorded."
        columns={['Allergy', 'Reaction', 'Severity']}
        rowKey={(a) => a.id!}
        row={(a) => [
          conceptText(a.code),
          a.reaction?.flatMap((r) => r.manifestation.map((m) => conceptText(m))).join(', ') ?? '',
          a.criticality === 'high' ? <Badge color="red.8">High risk</Badge> : (a.reaction?.[0]?.severity ?? ''),
        ]}
      />
      <PortalSection
        title="Immunizations"
        query={immunizations}
        empty="No immunizations are recorded."
        columns={['Vaccine', 'Given', 'Status']}
        rowKey={(i) => i.id!}
        row={(i) => [conceptText(i.vaccineCode), dateText(i.occurrenceDateTime ?? i.occurrenceString), i.status]}
      />
      <PortalSection
        title="Visits"
        query={visits}
        empty="No visits are recorded yet."
        columns={['When', 'Visit', 'Reason', 'Seen by']}
        rowKey={(e) => e.id!}
        row={(e) => [
          periodText(e.period) || dateText(e.meta?.lastUpdated),
          e.type?.map((t) => conceptText(t)).join(', ') || conceptText(e.serviceType, 'Visit'),
          e.reasonCode?.map((r) => conceptText(r)).join(', ') ?? '',
          e.participant?.map((p) => p.individual?.display).filter(Boolean).join(', ') ?? '',
        ]}
      />
    </Stack>
  );
}

function Demographics({ patient }: { patient: Patient }) {
  const facts: [string, string][] = [
    ['Name', patientName(patient as BannerPatient)],
    ['Birth date', patient.birthDate ? `${dateText(patient.birthDate)} (${ageLabel(patient.birthDate, new Date())})` : 'Not recorded'],
    ['Sex', sexLabel(patient.gender)],
    ['Record number', medicalRecordNumber(patient as BannerPatient) ?? 'None'],
    ['Phone', patient.telecom?.filter((t) => t.system === 'phone').map((t) => t.value).join(', ') || 'None on file'],
    ['Email', patient.telecom?.filter((t) => t.system === 'email').map((t) => t.value).join(', ') || 'None on file'],
    ['Address', patient.address?.map((a) => a.text ?? [...(a.line ?? []), a.city, a.state, a.postalCode].filter(Boolean).join(', ')).join('; ') || 'None on file'],
  ];
  return (
    <Paper withBorder p="md" bg="blue.0" component="section" aria-labelledby="section-about-me">
      <Title order={2} size="h3" id="section-about-me" mb="xs">
        About me
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} component="dl" m={0} spacing="sm">
        {facts.map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="gray.7" component="dt">
              {label}
            </Text>
            <Text fw={600} component="dd" m={0}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </Paper>
  );
}

/** The whole record as FHIR JSON (Patient/$everything), saved as a file. */
function DownloadRecord({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const download = useMutation({
    mutationFn: async () => {
      const bundle = await api.get<unknown>(`/fhir/R4/Patient/${patientId}/$everything`);
      const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `my-health-record-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <Stack gap={4} align="flex-end">
      <Button variant="light" onClick={() => download.mutate()} loading={download.isPending}>
        Download my record (FHIR JSON)
      </Button>
      {download.isError && (
        <Text c="red.8" size="sm" role="alert">
          {describeError(download.error)}
        </Text>
      )}
    </Stack>
  );
}
