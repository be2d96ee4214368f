import type { Location, Schedule } from '@medplum/fhirtypes';
import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { ScheduleCard } from './schedule-card.js';
import { usePlaceSchedules } from './scheduling-queries.js';

/**
 * Holidays and closures of a whole site: busy-unavailable Slots on the site's own schedule close
 * it for every practitioner who works there (server: ScheduleBook closures).
 */
export function SiteClosures({ sites }: { sites: readonly Location[] }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const places = usePlaceSchedules();
  const scheduleOf = (site: Location) => places.data?.find((s) => s.actor[0]?.reference === `Location/${site.id}`);
  const create = useMutation({
    mutationFn: (site: Location) =>
      api.post<Schedule>('/fhir/R4/Schedule', { resourceType: 'Schedule', active: true, actor: [{ reference: `Location/${site.id}`, display: site.name }], comment: `${site.name}: closures that apply to everyone there` }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['Schedule', 'places'] }),
  });

  if (places.isPending) return <Text role="status">Loading site closures…</Text>;
  if (places.isError)
    return (
      <Alert color="red" title="The site closures could not be loaded" role="alert">
        {describeError(places.error)}
      </Alert>
    );
  return (
    <Stack gap="sm">
      {sites.length === 0 && <Text>No sites yet.</Text>}
      {sites.map((site) => {
        const schedule = scheduleOf(site);
        return schedule ? (
          <ScheduleCard key={site.id} schedule={schedule} title={site.name ?? 'Site'} types={[]} takesHours={false} />
        ) : (
          <Group key={site.id} justify="space-between">
            <Text>{site.name} has no closures schedule yet.</Text>
            <Button size="xs" variant="default" loading={create.isPending && create.variables.id === site.id} onClick={() => create.mutate(site)} aria-label={`Set up closures for ${site.name}`}>
              Set up closures
            </Button>
          </Group>
        );
      })}
      {create.isError && (
        <Alert color="red" title="The closures schedule was not set up" role="alert">
          {describeError(create.error)}
        </Alert>
      )}
    </Stack>
  );
}
