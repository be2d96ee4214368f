import { Anchor, Badge, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { personName } from '../directory.js';
import { GRADE_LABELS, type LikelyDuplicate } from './match-results.js';

/** Before a likely duplicate is created: the candidates, how sure, and why; open one or go on. */
export function DuplicateWarning({ candidates, onContinue, onClose, saving }: { candidates: readonly LikelyDuplicate[]; onContinue: () => void; onClose: () => void; saving: boolean }) {
  return (
    <Modal opened onClose={onClose} title="This patient may already be registered" size="lg">
      <Stack>
        <Text>
          {candidates.length === 1 ? 'One record looks' : `${candidates.length} records look`} like the patient you are registering. Open the existing record instead of creating a second
          one, unless you are sure this is a different person.
        </Text>
        <Stack component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Likely duplicates">
          {candidates.map(({ patient, grade, reasons }) => (
            <li key={patient.id}>
              <Group gap="sm">
                <Anchor component={Link} to={`/app/front-desk/patients/${patient.id}`} fw={600}>
                  Open {personName(patient.name)} (born {patient.birthDate ?? 'unknown'})
                </Anchor>
                <Badge color={grade === 'certain' ? 'red.9' : grade === 'probable' ? '#a63c06' : 'gray.8'}>{GRADE_LABELS[grade] ?? grade}</Badge>
              </Group>
              <List size="sm">
                {reasons.map((reason) => (
                  <List.Item key={reason}>{reason}</List.Item>
                ))}
              </List>
            </li>
          ))}
        </Stack>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Back to the form
          </Button>
          <Button color="red.9" onClick={onContinue} loading={saving}>
            Register as a new patient anyway
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
