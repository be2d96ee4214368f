import type { CodeSystem } from '@medplum/fhirtypes';
import { Alert, Button, Group, Modal, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { typesOf, useAppointmentTypeSystem, type AppointmentType } from '../../front-desk/appointment-types.js';
import { codeFor, MAX_MINUTES, typeProblem, withType } from './appointment-types.js';

/** The practice's appointment types and their lengths: add one, or rename or re-time one. */
export function AppointmentTypesSection() {
  const system = useAppointmentTypeSystem();
  const [editing, setEditing] = useState<{ type: AppointmentType | undefined }>();
  const types = system.data === undefined ? [] : typesOf(system.data ?? undefined);

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm">{system.data === null ? 'The practice uses the standard types; a change saves them as the practice’s own.' : 'Each type’s length is what a booking of it takes.'}</Text>
        <Button variant="default" onClick={() => setEditing({ type: undefined })} disabled={system.data === undefined}>
          Add appointment type
        </Button>
      </Group>
      {system.isPending && <Text role="status">Loading appointment types…</Text>}
      {system.isError && (
        <Alert color="red" title="The appointment types could not be loaded" role="alert">
          {describeError(system.error)}
        </Alert>
      )}
      {system.isSuccess && types.length === 0 && <Text>No appointment types: add one before anyone can book.</Text>}
      {types.length > 0 && (
        <Table aria-label="Appointment types">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Code</Table.Th>
              <Table.Th>Length</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {types.map((type) => (
              <Table.Tr key={type.code}>
                <Table.Td>{type.display}</Table.Td>
                <Table.Td>{type.code}</Table.Td>
                <Table.Td>{type.minutes} min</Table.Td>
                <Table.Td>
                  <Group justify="flex-end">
                    <Button size="xs" variant="default" onClick={() => setEditing({ type })} aria-label={`Edit ${type.display}`}>
                      Edit
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={Boolean(editing)} onClose={() => setEditing(undefined)} title={editing?.type ? `Edit ${editing.type.display}` : 'Add appointment type'}>
        {editing && system.data !== undefined && <TypeForm type={editing.type} system={system.data ?? undefined} types={types} onDone={() => setEditing(undefined)} />}
      </Modal>
    </Stack>
  );
}

function TypeForm({ type, system, types, onDone }: { type: AppointmentType | undefined; system: CodeSystem | undefined; types: readonly AppointmentType[]; onDone: () => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [display, setDisplay] = useState(type?.display ?? '');
  const [minutes, setMinutes] = useState(type ? String(type.minutes) : '');
  const [problem, setProblem] = useState<string>();
  const save = useMutation({
    mutationFn: (changed: AppointmentType) => {
      const resource = withType(system, changed);
      return system?.id ? api.put<CodeSystem>(`/fhir/R4/CodeSystem/${system.id}`, resource) : api.post<CodeSystem>('/fhir/R4/CodeSystem', resource);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['CodeSystem', 'appointment-type'] });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // An existing type keeps its code: appointments already booked name it.
    const changed = { code: type?.code ?? codeFor(display), display: display.trim(), minutes: /^\s*\d+\s*$/.test(minutes) ? Number(minutes) : NaN };
    const found = typeProblem(changed, types) ?? (!type && types.some((t) => t.code === changed.code) ? 'A type with this code already exists; choose another name' : undefined);
    setProblem(found);
    if (!found) save.mutate(changed);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {problem && (
          <Alert color="red" title="Check the appointment type" role="alert">
            {problem}
          </Alert>
        )}
        {save.isError && (
          <Alert color="red" title="The appointment type was not saved" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        <TextInput label="Name" required value={display} onChange={(e) => setDisplay(e.currentTarget.value)} description={type ? `Code ${type.code}` : display.trim() ? `Code ${codeFor(display)}` : undefined} data-autofocus />
        <TextInput label="Length (minutes)" required inputMode="numeric" value={minutes} onChange={(e) => setMinutes(e.currentTarget.value)} description={`5 to ${MAX_MINUTES}`} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save appointment type
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
