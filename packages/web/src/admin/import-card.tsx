import { Badge, Button, Card, Group, Progress, Stack, Text } from '@mantine/core';
import { ImportReport } from './import-report.js';
import { isImportRunning, type DataImport } from './import-types.js';

const STATUS: Record<DataImport['status'], { label: string; color: string }> = {
  queued: { label: 'Waiting to start', color: 'gray.7' },
  running: { label: 'Importing', color: 'blue.8' },
  done: { label: 'Finished', color: 'teal.9' },
  failed: { label: 'Stopped', color: 'red.9' },
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One import: its progress while it runs, its summary and error report once it has finished. */
export function ImportCard({ dataImport, expanded, onToggle }: { dataImport: DataImport; expanded: boolean; onToggle: () => void }) {
  const running = isImportRunning(dataImport);
  const percent = dataImport.entriesTotal === 0 ? (running ? 0 : 100) : Math.round((100 * dataImport.entriesDone) / dataImport.entriesTotal);
  const failedFiles = dataImport.files.filter((file) => file.status === 'failed').length;
  const problems = dataImport.files.reduce((sum, file) => sum + file.problemCount, 0);
  const title = `Import of ${dataImport.files.length} file${dataImport.files.length === 1 ? '' : 's'}`;
  const status = STATUS[dataImport.status];

  return (
    <Card withBorder component="section" aria-label={`${title}, ${dateTime.format(new Date(dataImport.createdAt))}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Text fw={600}>{title}</Text>
            <Text size="sm" c="dimmed">
              Started {dateTime.format(new Date(dataImport.createdAt))} by {dataImport.startedBy}: {dataImport.files.map((file) => file.name).join(', ')}
            </Text>
          </div>
          <Badge color={status.color} variant="filled">
            {status.label}
          </Badge>
        </Group>
        <Progress value={percent} animated={running} striped={running} color={dataImport.failed > 0 ? 'orange.8' : 'teal.8'} aria-label={`${title}: progress`} size="lg" />
        <Text size="sm" aria-live={running ? 'polite' : undefined}>
          {dataImport.entriesDone} of {dataImport.entriesTotal} entries · {dataImport.created} created · {dataImport.updated} updated · {dataImport.failed} failed
          {!running && failedFiles > 0 && ` · ${failedFiles} of ${dataImport.files.length} files with problems`}
        </Text>
        {dataImport.failure && (
          <Text size="sm" c="red.9">
            {dataImport.failure}
          </Text>
        )}
        {!running && (
          <Group>
            <Button variant="default" size="xs" onClick={onToggle} aria-expanded={expanded}>
              {expanded ? 'Hide error report' : `Show error report (${problems} problem${problems === 1 ? '' : 's'})`}
            </Button>
          </Group>
        )}
        {!running && expanded && <ImportReport importId={dataImport.id} />}
      </Stack>
    </Card>
  );
}
