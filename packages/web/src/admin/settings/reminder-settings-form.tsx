import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { parseLeadTimes, type ReminderSettings } from './settings-draft.js';

/** How long before an appointment its reminders go out. */
export function ReminderSettingsForm({ settings }: { settings: ReminderSettings }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [text, setText] = useState(settings.hoursBefore.join(', '));
  const [problem, setProblem] = useState<string>();
  const save = useMutation({
    mutationFn: (hoursBefore: number[]) => api.put<ReminderSettings>('/admin/settings/reminders', { hoursBefore }),
    onSuccess: (saved) => {
      setText(saved.hoursBefore.join(', '));
      queryClient.setQueryData(['admin', 'settings', 'reminders'], saved);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseLeadTimes(text);
    setProblem('problem' in parsed ? parsed.problem : undefined);
    if ('hoursBefore' in parsed) save.mutate(parsed.hoursBefore);
  };
  const current = save.data ?? settings;

  return (
    <form onSubmit={submit} noValidate aria-label="Appointment reminders">
      <Stack>
        <TextInput
          label="Send reminders this many hours before"
          description={`Separate lead times with commas, such as 48, 2; empty sends no reminders.${current.practiceDefault ? ' The practice uses the server’s default now.' : ''}`}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={problem}
        />
        {save.isError && (
          <Alert color="red" title="The reminder lead times were not saved" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        {save.isSuccess && (
          <Alert color="green" title="Reminder lead times saved" role="status">
            {save.data.hoursBefore.length ? `Reminders go out ${save.data.hoursBefore.join(' and ')} hours before each appointment.` : 'No reminders will be sent.'}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save reminder lead times
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
