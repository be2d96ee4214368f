import { Alert, Anchor, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { useMe, useSession } from '../session/session-context.js';
import { WORKSPACES, workspacesFor } from '../shell/workspaces.js';
import { PatientBanner } from './patient-banner.js';
import type { Patient } from './patient.js';

/** A patient's page: the banner, then what each workspace adds about the patient. */
export default function PatientPage() {
  const { api } = useSession();
  const { id = '' } = useParams();
  const atFrontDesk = workspacesFor(useMe().policy).some((w) => w.key === WORKSPACES.frontDesk.key);
  const patient = useQuery({ queryKey: ['Patient', id], queryFn: () => api.get<Patient>(`/fhir/R4/Patient/${encodeURIComponent(id)}`) });

  if (patient.isPending) return <PageLoader label="Loading the patient" />;
  if (patient.isError) {
    return (
      <Alert color="red" title="The patient could not be opened" role="alert">
        {describeError(patient.error)}
      </Alert>
    );
  }
  return (
    <Stack>
      <PatientBanner patient={patient.data} />
      {atFrontDesk && (
        <Anchor component={Link} to={`/app/front-desk/patients/${patient.data.id}`}>
          Insurance, appointments and booking (front desk)
        </Anchor>
      )}
      <Text c="gray.7">The chart, appointments and account for this patient appear here as their workspaces are added.</Text>
    </Stack>
  );
}
