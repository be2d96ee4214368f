import { Alert, Button, Checkbox, Group, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { AppointmentType } from '../../front-desk/appointment-types.js';
import { blockProblem, WEEKDAY_NAMES, WEEKDAYS, type TemplateBlock, type Weekday } from './weekly-template.js';

const NEW_BLOCK: TemplateBlock = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', appointmentTypes: [] };

/** One block of a weekly template: its days, hours and the appointment types it takes. */
export function BlockForm({ block, types, saving, onSave }: { block: TemplateBlock | undefined; types: readonly AppointmentType[]; saving: boolean; onSave: (block: TemplateBlock) => void }) {
  const [draft, setDraft] = useState<TemplateBlock>(block ?? NEW_BLOCK);
  const [problem, setProblem] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = blockProblem(draft);
    setProblem(found);
    if (!found) onSave(draft);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {problem && (
          <Alert color="red" title="Check the hours" role="alert">
            {problem}
          </Alert>
        )}
        <Checkbox.Group label="Days" required value={[...draft.days]} onChange={(days) => setDraft({ ...draft, days: WEEKDAYS.filter((d) => days.includes(d)) as Weekday[] })}>
          <Group gap="sm" mt="xs">
            {WEEKDAYS.map((day) => (
              <Checkbox key={day} value={day} label={WEEKDAY_NAMES[day]} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group grow align="flex-start">
          <TextInput label="Starts" type="time" required value={draft.start} onChange={(e) => setDraft({ ...draft, start: e.currentTarget.value })} />
          <TextInput label="Ends" type="time" required value={draft.end} onChange={(e) => setDraft({ ...draft, end: e.currentTarget.value })} />
        </Group>
        <Checkbox.Group label="Appointment types" description="None ticked: the block takes any type" value={[...draft.appointmentTypes]} onChange={(appointmentTypes) => setDraft({ ...draft, appointmentTypes })}>
          <Stack gap={6} mt="xs">
            {types.map((type) => (
              <Checkbox key={type.code} value={type.code} label={`${type.display} (${type.minutes} min)`} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button type="submit" loading={saving}>
            Save hours
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
