import type { Location, Schedule } from '@medplum/fhirtypes';
import { Alert, Button, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../api/problem.js';
import { personName, usePractitioners } from '../../front-desk/directory.js';
import { PageLoader } from '../../shell/page-loader.js';
import { useSession } from '../../session/session-context.js';
import type { AppointmentType } from '../../front-desk/appointment-types.js';
import { ScheduleCard } from './schedule-card.js';
import { usePractitionerSchedules } from './scheduling-queries.js';

/** One practitioner at a time: a schedule per site they work at, each with its weekly hours and leave. */
export function PractitionerSchedules({ sites, types }: { sites: readonly Location[]; types: readonly AppointmentType[] }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const practitioners = usePractitioners();
  const [chosen, setChosen] = useState<string>();
  const [newSite, setNewSite] = useState('');
  const practitionerId = chosen ?? practitioners.data?.[0]?.id;
  const practitioner = practitioners.data?.find((p) => p.id === practitionerId);
  const name = practitioner ? personName(practitioner.name) : 'This practitioner';
  const schedules = usePractitionerSchedules(practitionerId);
  const siteOf = (schedule: Schedule) => sites.find((site) => schedule.actor.some((a) => a.reference === `Location/${site.id}`));
  const unscheduledSites = sites.filter((site) => site.status !== 'inactive' && !schedules.data?.some((s) => siteOf(s)?.id === site.id));
  // A new schedule starts without hours (nobody can book it until some are added); the server's time zone applies.
  const create = useMutation({
    mutationFn: (site: Location) =>
      api.post<Schedule>('/fhir/R4/Schedule', { resourceType: 'Schedule', active: true, actor: [{ reference: `Practitioner/${practitionerId}`, display: name }, { reference: `Location/${site.id}`, display: site.name }], comment: `${name} at ${site.name}` }),
    onSuccess: async () => {
      setNewSite('');
      await queryClient.invalidateQueries({ queryKey: ['Schedule'] });
    },
  });

  return (
    <Stack gap="sm">
      {practitioners.isPending && <PageLoader label="Loading practitioners" />}
      {practitioners.isError && (
        <Alert color="red" title="The practitioners could not be loaded" role="alert">
          {describeError(practitioners.error)}
        </Alert>
      )}
      {practitioners.data?.length === 0 && <Text>No practitioners yet.</Text>}
      {practitioners.data && practitioners.data.length > 0 && (
        <NativeSelect label="Practitioner" value={practitionerId ?? ''} onChange={(e) => setChosen(e.currentTarget.value)} data={practitioners.data.map((p) => ({ value: p.id ?? '', label: personName(p.name) }))} maw={420} />
      )}
      {schedules.isPending && practitionerId && <PageLoader label="Loading schedules" />}
      {schedules.isError && (
        <Alert color="red" title="The schedules could not be loaded" role="alert">
          {describeError(schedules.error)}
        </Alert>
      )}
      {schedules.data?.length === 0 && <Text>{name} has no schedule, so nobody can book them.</Text>}
      {schedules.data?.map((schedule) => (
        <ScheduleCard key={schedule.id} schedule={schedule} title={`${name} at ${siteOf(schedule)?.name ?? 'no site'}`} types={types} />
      ))}
      {schedules.data && unscheduledSites.length > 0 && (
        <Group align="flex-end">
          <NativeSelect
            label={`Add a schedule for ${name} at`}
            value={newSite}
            onChange={(e) => setNewSite(e.currentTarget.value)}
            data={[{ value: '', label: 'Choose a site…' }, ...unscheduledSites.map((s) => ({ value: s.id ?? '', label: s.name ?? '' }))]}
          />
          <Button variant="default" disabled={!newSite} loading={create.isPending} onClick={() => create.mutate(unscheduledSites.find((s) => s.id === newSite)!)}>
            Add schedule
          </Button>
        </Group>
      )}
      {create.isError && (
        <Alert color="red" title="The schedule was not added" role="alert">
          {describeError(create.error)}
        </Alert>
      )}
    </Stack>
  );
}
