import type { Bundle } from '@medplum/fhirtypes';
import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { describeError } from '../api/problem.js';
import { useSession } from '../session/session-context.js';
import { dateTimeText } from './clinical-text.js';
import { openTimes, type OpenTime } from './appointment-kinds.js';

const SHOWN = 8;

/** The next open times the practice's rules allow (`Appointment/$find`), each a button to choose it. */
export function OpenTimes(props: { kind: string; practitioner?: string; action: string; busy: boolean; onChoose: (time: OpenTime) => void }) {
  const { api } = useSession();
  const query = new URLSearchParams({ 'appointment-type': props.kind, _count: String(SHOWN) });
  if (props.practitioner) query.set('practitioner', props.practitioner);
  const times = useQuery({
    queryKey: ['Appointment', '$find', query.toString()],
    queryFn: async () => openTimes(await api.get<Bundle>(`/fhir/R4/Appointment/$find?${query}`)),
    staleTime: 0,
  });
  if (times.isPending) return <Loader size="sm" aria-label="Looking for open times" />;
  if (times.isError) {
    return (
      <Alert color="red" role="alert">
        {describeError(times.error)}
      </Alert>
    );
  }
  if (times.data.length === 0) return <Text c="gray.7">No open times in the next weeks. Send a request instead and the practice will offer one.</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm">Open times:</Text>
      <Group gap="xs">
        {times.data.map((time) => {
          const who = time.actors.find((a) => a.reference?.startsWith('Practitioner/'))?.display;
          return (
            <Button key={time.slot.id ?? time.slot.start} variant="outline" size="sm" disabled={props.busy} onClick={() => props.onChoose(time)}>
              {props.action} {dateTimeText(time.slot.start)}
              {who ? ` with ${who}` : ''}
            </Button>
          );
        })}
      </Group>
    </Stack>
  );
}
