import type { Schedule } from '@medplum/fhirtypes';
import { Alert, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../../api/problem.js';
import { personName, useLocations, usePractitioners } from '../../front-desk/directory.js';
import { PageLoader } from '../../shell/page-loader.js';
import { typesOf } from './appointment-types.js';
import { AppointmentTypesSection } from './appointment-types-section.js';
import { ScheduleCard } from './schedule-card.js';
import { useAppointmentTypeSystem, usePractitionerSchedules } from './scheduling-queries.js';

/** Appointment types, and each practitioner's weekly hours and leave at each site. */
export default function SchedulingPage() {
  const practitioners = usePractitioners();
  const locations = useLocations();
  const system = useAppointmentTypeSystem();
  const [chosen, setChosen] = useState<string>();
  const practitionerId = chosen ?? practitioners.data?.[0]?.id;
  const schedules = usePractitionerSchedules(practitionerId);
  const types = system.data === undefined ? [] : typesOf(system.data ?? undefined);
  const siteOf = (schedule: Schedule) => {
    const reference = schedule.actor.find((a) => a.reference?.startsWith('Location/'));
    return locations.data?.find((l) => `Location/${l.id}` === reference?.reference)?.name ?? reference?.display ?? 'no site';
  };
  const practitioner = practitioners.data?.find((p) => p.id === practitionerId);

  return (
    <Stack>
      <Title order={1} size="h2">
        Scheduling
      </Title>
      <Paper withBorder p="md" component="section" aria-label="Appointment types">
        <Stack gap="sm">
          <Title order={2} size="h3">
            Appointment types
          </Title>
          <AppointmentTypesSection />
        </Stack>
      </Paper>
      <Paper withBorder p="md" component="section" aria-label="Practitioner schedules">
        <Stack gap="sm">
          <Title order={2} size="h3">
            Practitioner schedules
          </Title>
          {practitioners.isPending && <PageLoader label="Loading practitioners" />}
          {practitioners.isError && (
            <Alert color="red" title="The practitioners could not be loaded" role="alert">
              {describeError(practitioners.error)}
            </Alert>
          )}
          {practitioners.data?.length === 0 && <Text>No practitioners yet.</Text>}
          {practitioners.data && practitioners.data.length > 0 && (
            <NativeSelect
              label="Practitioner"
              value={practitionerId ?? ''}
              onChange={(e) => setChosen(e.currentTarget.value)}
              data={practitioners.data.map((p) => ({ value: p.id ?? '', label: personName(p.name) }))}
              maw={420}
            />
          )}
          {schedules.isPending && practitionerId && <PageLoader label="Loading schedules" />}
          {schedules.isError && (
            <Alert color="red" title="The schedules could not be loaded" role="alert">
              {describeError(schedules.error)}
            </Alert>
          )}
          {schedules.data?.length === 0 && <Text>{practitioner ? personName(practitioner.name) : 'This practitioner'} has no schedule, so nobody can book them.</Text>}
          {schedules.data?.map((schedule) => (
            <ScheduleCard key={schedule.id} schedule={schedule} title={`${practitioner ? personName(practitioner.name) : 'Practitioner'} at ${siteOf(schedule)}`} types={types} />
          ))}
        </Stack>
      </Paper>
    </Stack>
  );
}
