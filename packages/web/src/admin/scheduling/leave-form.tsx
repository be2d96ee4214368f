import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';

export interface LeaveDraft {
  readonly firstDay: string;
  readonly lastDay: string;
  readonly reason: string;
}

export function leaveProblem(draft: LeaveDraft, today: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.firstDay)) return 'Choose the first day';
  const lastDay = draft.lastDay || draft.firstDay;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(lastDay)) return 'Choose the last day';
  if (lastDay < draft.firstDay) return 'The last day cannot be before the first';
  if (lastDay < today) return 'The last day must be today or later';
  return undefined;
}

/** A day or days the schedule is closed: leave, training, a holiday. */
export function LeaveForm({ today, saving, noun, onSave }: { today: string; saving: boolean; noun: 'leave' | 'closure'; onSave: (draft: LeaveDraft) => void }) {
  const [draft, setDraft] = useState<LeaveDraft>({ firstDay: '', lastDay: '', reason: '' });
  const [problem, setProblem] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = leaveProblem(draft, today);
    setProblem(found);
    if (!found) onSave({ ...draft, lastDay: draft.lastDay || draft.firstDay });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {problem && (
          <Alert color="red" title="Check the dates" role="alert">
            {problem}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput label="First day" type="date" required min={today} value={draft.firstDay} onChange={(e) => setDraft({ ...draft, firstDay: e.currentTarget.value })} data-autofocus />
          <TextInput label="Last day" type="date" description="Empty: one day" min={draft.firstDay || today} value={draft.lastDay} onChange={(e) => setDraft({ ...draft, lastDay: e.currentTarget.value })} />
        </Group>
        <TextInput label="Reason" description="Shown to staff, such as Annual leave or Thanksgiving" value={draft.reason} onChange={(e) => setDraft({ ...draft, reason: e.currentTarget.value })} />
        <Group justify="flex-end">
          <Button type="submit" loading={saving}>
            Add {noun}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
