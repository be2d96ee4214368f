import { Alert, Button, FileInput, Group, Paper, Stack, Text } from '@mantine/core';
import { useState, type DragEvent } from 'react';
import { describeError } from '../api/problem.js';
import { useStartImport } from './import-queries.js';
import { addFiles, formatBytes, selectionProblem, UPLOAD_LIMIT_BYTES } from './import-selection.js';
import type { DataImport } from './import-types.js';

/** Files chosen with the file picker or dropped on the form, checked here, then sent as one import. */
export function StartImportForm({ onStarted }: { onStarted: (started: DataImport) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [problem, setProblem] = useState<string | undefined>();
  const [dragging, setDragging] = useState(false);
  const start = useStartImport();

  const choose = (chosen: File[]) => {
    setFiles(chosen);
    setProblem(undefined);
    start.reset();
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    choose(addFiles(files, [...event.dataTransfer.files]));
  };
  const submit = () => {
    const wrong = selectionProblem(files);
    setProblem(wrong);
    if (wrong) return;
    start.mutate(files, {
      onSuccess: (started) => {
        setFiles([]);
        onStarted(started);
      },
    });
  };
  const total = files.reduce((sum, file) => sum + file.size, 0);

  return (
    <Paper
      withBorder
      p="md"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
      style={dragging ? { borderStyle: 'dashed', borderColor: 'var(--mantine-color-blue-7)' } : undefined}
    >
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Stack>
          <FileInput
            label="Files to import"
            description={`FHIR resources or Bundles (.json) and NDJSON (.ndjson), up to ${formatBytes(UPLOAD_LIMIT_BYTES)} together. You can also drop files here.`}
            placeholder="Choose files"
            // Mantine's placeholder grey is too faint to read (axe color-contrast).
            styles={{ placeholder: { color: 'var(--mantine-color-gray-7)' } }}
            multiple
            clearable
            clearButtonProps={{ 'aria-label': 'Clear the chosen files' }}
            accept=".json,.ndjson,application/json,application/fhir+json,application/x-ndjson"
            value={files}
            onChange={choose}
            error={problem}
          />
          {files.length > 0 && (
            <Text size="sm" c="dimmed">
              {files.length} file{files.length === 1 ? '' : 's'}, {formatBytes(total)}
            </Text>
          )}
          {start.isError && (
            <Alert color="red" title="The import could not start" role="alert">
              {describeError(start.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={start.isPending}>
              Start import
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
