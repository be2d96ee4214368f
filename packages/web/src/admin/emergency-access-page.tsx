import { Alert, Anchor, Badge, Button, Group, List, Modal, Paper, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { useSession } from '../session/session-context.js';
import { MAX_REVIEW_NOTE, openedDuring, orderForReview, reviewNoteProblem, unreviewedCount, type EmergencyAccess } from './emergency-access-rows.js';

const when = (instant: string) => new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Break the glass" accesses of the last 30 days, those awaiting an administrator's review first. */
export default function EmergencyAccessPage() {
  const { api } = useSession();
  const report = useQuery({ queryKey: ['admin', 'emergency-access'], queryFn: () => api.get<EmergencyAccess[]>('/admin/emergency-access') });
  const [reviewing, setReviewing] = useState<EmergencyAccess | undefined>();
  const entries = report.data ? orderForReview(report.data) : [];
  const waiting = report.data ? unreviewedCount(report.data) : 0;

  return (
    <Stack>
      <Group justify="space-between" align="baseline">
        <Title order={1} size="h2">
          Emergency access
        </Title>
        {report.data && (
          <Badge size="lg" color={waiting ? 'red.9' : 'teal.9'} variant="filled" role="status">
            {waiting ? `${waiting} awaiting review` : 'All reviewed'}
          </Badge>
        )}
      </Group>
      <Text c="gray.7">Each time a clinician opened a record outside their care team in the last 30 days: who, which patient, why, and what they opened while the access lasted.</Text>
      {report.isPending && <PageLoader label="Loading emergency accesses" />}
      {report.isError && (
        <Alert color="red" title="The report could not be loaded" role="alert">
          {describeError(report.error)}
        </Alert>
      )}
      {report.data?.length === 0 && <Text>No emergency access in the last 30 days.</Text>}
      {entries.map((entry) => (
        <EmergencyAccessCard key={entry.id} entry={entry} onReview={() => setReviewing(entry)} />
      ))}
      <Modal opened={Boolean(reviewing)} onClose={() => setReviewing(undefined)} title={reviewing ? `Review ${reviewing.account.displayName}’s emergency access` : ''}>
        {reviewing && <ReviewForm entry={reviewing} onDone={() => setReviewing(undefined)} />}
      </Modal>
    </Stack>
  );
}

function EmergencyAccessCard({ entry, onReview }: { entry: EmergencyAccess; onReview: () => void }) {
  const opened = openedDuring(entry);
  const patientId = entry.patient.replace(/^Patient\//, '');
  return (
    <Paper withBorder p="md" component="article" aria-label={`${entry.account.displayName}, ${entry.patient}, ${when(entry.startedAt)}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>
            {entry.account.displayName} <Text span c="gray.7">({entry.account.email}, {entry.account.role})</Text>
          </Text>
          {entry.review ? (
            <Badge color="teal.9" variant="filled">
              Reviewed
            </Badge>
          ) : (
            <Badge color="red.9" variant="filled">
              Needs review
            </Badge>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
          <Text size="sm">
            Patient:{' '}
            <Anchor component={Link} to={`/app/patients/${patientId}`}>
              {entry.patient}
            </Anchor>
          </Text>
          <Text size="sm">Started: {when(entry.startedAt)}</Text>
          <Text size="sm">Until: {when(entry.expiresAt)}</Text>
        </SimpleGrid>
        <Text size="sm">
          <strong>Reason:</strong> {entry.reason}
        </Text>
        <Text size="sm" fw={600}>
          Opened during the access ({opened.length})
        </Text>
        {opened.length ? (
          <List size="sm" spacing={2}>
            {opened.slice(0, 20).map((what) => (
              <List.Item key={what}>{what}</List.Item>
            ))}
            {opened.length > 20 && <List.Item>… and {opened.length - 20} more (see the audit trail)</List.Item>}
          </List>
        ) : (
          <Text size="sm" c="gray.7">
            Nothing was opened.
          </Text>
        )}
        {entry.review ? (
          <Alert color="teal" variant="light" title={`Reviewed by ${entry.review.reviewer.displayName} on ${when(entry.review.reviewedAt)}`}>
            <Text size="sm" c="dark.8">
              {entry.review.note}
            </Text>
          </Alert>
        ) : (
          <Group justify="flex-end">
            <Button onClick={onReview} aria-label={`Mark ${entry.account.displayName}’s access to ${entry.patient} reviewed`}>
              Mark reviewed
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

function ReviewForm({ entry, onDone }: { entry: EmergencyAccess; onDone: () => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const review = useMutation({
    mutationFn: () => api.post(`/admin/emergency-access/${entry.id}/review`, { note: note.trim() }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'emergency-access'] });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = reviewNoteProblem(note);
    setError(problem);
    if (!problem) review.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">
          Reason given: <em>{entry.reason}</em>
        </Text>
        {review.isError && (
          <Alert color="red" title="The review was not saved" role="alert">
            {describeError(review.error)}
          </Alert>
        )}
        <Textarea
          label="What the review found"
          description="Kept with the access and on the audit trail; it cannot be changed later."
          required
          autosize
          minRows={3}
          maxLength={MAX_REVIEW_NOTE}
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          error={error}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={review.isPending}>
            Save review
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
