import type { Bundle, Patient } from '@medplum/fhirtypes';
import { Alert, Button, Group, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { patientSearchParams } from '../patients/patient-query.js';
import { useSession } from '../session/session-context.js';
import { personName } from './directory.js';
import { entriesOf } from './fhir-resources.js';

/** Finds a patient by name, birth date, MRN or phone and picks one. */
export function PatientPicker({ label, value, onChange }: { label: string; value: Patient | undefined; onChange: (patient: Patient | undefined) => void }) {
  const { api } = useSession();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const found = useQuery({
    queryKey: ['Patient', 'pick', query],
    enabled: query.length > 0,
    queryFn: async () => {
      const params = patientSearchParams(query);
      params.set('_count', '10');
      return entriesOf<Patient>(await api.get<Bundle>(`/fhir/R4/Patient?${params.toString()}`), 'Patient');
    },
  });
  if (value) {
    return (
      <Group gap="sm">
        <Text>
          {label}: <strong>{personName(value.name)}</strong> (born {value.birthDate ?? 'unknown'})
        </Text>
        <Button variant="subtle" size="compact-sm" onClick={() => onChange(undefined)}>
          Change patient
        </Button>
      </Group>
    );
  }
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery(text.trim());
  };
  const patients = found.data ?? [];
  return (
    <Stack gap="xs">
      <form onSubmit={search} role="search" aria-label={`${label} search`}>
        <Group align="flex-end">
          <TextInput label={label} description="Name, birth date, MRN or phone" value={text} onChange={(e) => setText(e.currentTarget.value)} style={{ flex: 1, minWidth: 220 }} />
          <Button type="submit" variant="light">
            Find patient
          </Button>
        </Group>
      </form>
      {found.isError && (
        <Alert color="red" role="alert">
          {describeError(found.error)}
        </Alert>
      )}
      {found.isSuccess && patients.length === 0 && <Text role="status">No patient matches “{query}”.</Text>}
      {patients.length > 0 && (
        <Radio.Group label="Choose the patient" value="" onChange={(id) => onChange(patients.find((p) => p.id === id))}>
          <Stack gap={4} mt={4}>
            {patients.map((p) => (
              <Radio key={p.id} value={p.id!} label={`${personName(p.name)} — born ${p.birthDate ?? 'unknown'}`} />
            ))}
          </Stack>
        </Radio.Group>
      )}
    </Stack>
  );
}
