import type { Schedule, Slot } from '@medplum/fhirtypes';
import { Alert, Badge, Button, Group, Modal, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import type { AppointmentType } from '../../front-desk/appointment-types.js';
import { BlockForm } from './block-form.js';
import { dayIn, leaveSlot } from './leave-slot.js';
import { LeaveForm, type LeaveDraft } from './leave-form.js';
import { useUpcomingLeave } from './scheduling-queries.js';
import { blocksOf, describeDays, timeZoneOf, withTemplate, type TemplateBlock } from './weekly-template.js';

/** The browser's zone stands in for a schedule that names none (the server then uses its own default). */
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** One schedule: its weekly hours (a practitioner's, not a site's closures) and its leave. */
export function ScheduleCard({ schedule, title, types, takesHours = true }: { schedule: Schedule; title: string; types: readonly AppointmentType[]; takesHours?: boolean }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const blocks = blocksOf(schedule);
  const zone = timeZoneOf(schedule);
  const leave = useUpcomingLeave(schedule.id);
  const [editing, setEditing] = useState<{ index: number | undefined }>();
  const [addingLeave, setAddingLeave] = useState(false);
  const typeName = (code: string) => types.find((t) => t.code === code)?.display ?? code;

  const saveBlocks = useMutation({
    mutationFn: (next: TemplateBlock[]) => api.put<Schedule>(`/fhir/R4/Schedule/${schedule.id}`, withTemplate(schedule, next, zone)),
    onSuccess: async () => {
      setEditing(undefined);
      await queryClient.invalidateQueries({ queryKey: ['Schedule'] });
    },
  });
  const addLeave = useMutation({
    mutationFn: (draft: LeaveDraft) => api.post<Slot>('/fhir/R4/Slot', leaveSlot(schedule, draft.firstDay, draft.lastDay, zone ?? BROWSER_ZONE, draft.reason)),
    onSuccess: async () => {
      setAddingLeave(false);
      await queryClient.invalidateQueries({ queryKey: ['Slot', 'leave', schedule.id] });
    },
  });
  const removeLeave = useMutation({
    mutationFn: (slot: Slot) => api.request('DELETE', `/fhir/R4/Slot/${slot.id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['Slot', 'leave', schedule.id] }),
  });
  const edit = (index: number | undefined) => {
    saveBlocks.reset();
    setEditing({ index });
  };
  const saveBlock = (block: TemplateBlock) => {
    const index = editing?.index;
    saveBlocks.mutate(index === undefined ? [...blocks, block] : blocks.map((b, i) => (i === index ? block : b)));
  };
  const leaveDays = (slot: Slot) => {
    const first = dayIn(slot.start, zone ?? BROWSER_ZONE);
    // The end is the midnight after the last day.
    const last = dayIn(new Date(new Date(slot.end).getTime() - 1).toISOString(), zone ?? BROWSER_ZONE);
    return first === last ? formatDay(first) : `${formatDay(first)} – ${formatDay(last)}`;
  };

  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Title order={3} size="h4">
              {title} {schedule.active === false && <Badge color="gray.7">Inactive</Badge>}
            </Title>
            <Text size="sm">Time zone: {zone ?? 'the practice default'}</Text>
          </div>
          <Group gap="xs">
            {takesHours && (
              <Button size="xs" variant="default" onClick={() => edit(undefined)} aria-label={`Add hours to ${title}`}>
                Add hours
              </Button>
            )}
            <Button size="xs" variant="outline" onClick={() => { addLeave.reset(); setAddingLeave(true); }} aria-label={`Add ${takesHours ? 'leave' : 'closure'} to ${title}`}>
              {takesHours ? 'Add leave' : 'Add closure'}
            </Button>
          </Group>
        </Group>
        {saveBlocks.isError && !editing && (
          <Alert color="red" title="The hours were not saved" role="alert">
            {describeError(saveBlocks.error)}
          </Alert>
        )}
        {!takesHours ? null : blocks.length === 0 ? (
          <Text size="sm">No weekly hours: nobody can book this schedule.</Text>
        ) : (
          <Table aria-label={`Weekly hours of ${title}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Days</Table.Th>
                <Table.Th>Hours</Table.Th>
                <Table.Th>Takes</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {blocks.map((block, index) => {
                const label = `${describeDays(block.days)} ${block.start}–${block.end}`;
                return (
                  <Table.Tr key={`${label}-${index}`}>
                    <Table.Td>{describeDays(block.days)}</Table.Td>
                    <Table.Td>
                      {block.start}–{block.end}
                    </Table.Td>
                    <Table.Td>{block.appointmentTypes.length ? block.appointmentTypes.map(typeName).join(', ') : 'Any type'}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button size="xs" variant="default" onClick={() => edit(index)} aria-label={`Edit ${label}`}>
                          Edit
                        </Button>
                        <Button size="xs" variant="outline" color="red.9" loading={saveBlocks.isPending && !editing} onClick={() => saveBlocks.mutate(blocks.filter((_, i) => i !== index))} aria-label={`Remove ${label}`}>
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        <Title order={4} size="h5">
          Leave and closures
        </Title>
        {leave.isPending && <Text role="status">Loading leave…</Text>}
        {leave.isError && (
          <Alert color="red" title="The leave could not be loaded" role="alert">
            {describeError(leave.error)}
          </Alert>
        )}
        {leave.data?.length === 0 && <Text size="sm">No leave ahead.</Text>}
        {leave.data && leave.data.length > 0 && (
          <Table aria-label={`Leave of ${title}`}>
            <Table.Tbody>
              {leave.data.map((slot) => (
                <Table.Tr key={slot.id}>
                  <Table.Td>{leaveDays(slot)}</Table.Td>
                  <Table.Td>{slot.comment ?? 'Closed'}</Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      <Button size="xs" variant="outline" color="red.9" loading={removeLeave.isPending && removeLeave.variables.id === slot.id} onClick={() => removeLeave.mutate(slot)} aria-label={`Remove leave ${leaveDays(slot)}`}>
                        Remove
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {removeLeave.isError && (
          <Alert color="red" title="The leave was not removed" role="alert">
            {describeError(removeLeave.error)}
          </Alert>
        )}
      </Stack>
      <Modal opened={Boolean(editing)} onClose={() => setEditing(undefined)} title={editing?.index === undefined ? `Add hours to ${title}` : `Edit hours of ${title}`}>
        {editing && (
          <Stack>
            {saveBlocks.isError && (
              <Alert color="red" title="The hours were not saved" role="alert">
                {describeError(saveBlocks.error)}
              </Alert>
            )}
            <BlockForm block={editing.index === undefined ? undefined : blocks[editing.index]} types={types} saving={saveBlocks.isPending} onSave={saveBlock} />
          </Stack>
        )}
      </Modal>
      <Modal opened={addingLeave} onClose={() => setAddingLeave(false)} title={`Add ${takesHours ? 'leave' : 'closure'} to ${title}`}>
        <Stack>
          {addLeave.isError && (
            <Alert color="red" title="The leave was not added" role="alert">
              {describeError(addLeave.error)}
            </Alert>
          )}
          <LeaveForm noun={takesHours ? 'leave' : 'closure'} today={dayIn(new Date().toISOString(), zone ?? BROWSER_ZONE)} saving={addLeave.isPending} onSave={(draft) => addLeave.mutate(draft)} />
        </Stack>
      </Modal>
    </Paper>
  );
}

function formatDay(day: string): string {
  // Noon UTC names the same calendar day in every zone a browser is likely in.
  return new Date(`${day}T12:00:00Z`).toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
}
