import { Group, Paper, Text, Title } from '@mantine/core';
import { ageLabel, medicalRecordNumber, patientName, sexLabel } from './patient-facts.js';
import type { Patient } from './patient.js';

/** The same identification on every patient screen: name, birth date and age, sex, MRN. */
export function PatientBanner({ patient }: { patient: Patient }) {
  const fact = (label: string, value: string) => (
    <div>
      <Text size="xs" c="gray.7" component="dt">
        {label}
      </Text>
      <Text fw={600} component="dd" m={0}>
        {value}
      </Text>
    </div>
  );
  return (
    <Paper withBorder p="md" bg="blue.0" component="section" aria-label="Patient">
      <Title order={1} size="h2" mb="xs">
        {patientName(patient)}
      </Title>
      <Group component="dl" gap="xl" m={0}>
        {fact('Birth date', patient.birthDate ? `${patient.birthDate} (${ageLabel(patient.birthDate, new Date())})` : 'Not recorded')}
        {fact('Sex', sexLabel(patient.gender))}
        {fact('MRN', medicalRecordNumber(patient) ?? 'None')}
      </Group>
    </Paper>
  );
}
