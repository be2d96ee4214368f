import { Alert, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ImportCard } from './import-card.js';
import { useImports } from './import-queries.js';
import { StartImportForm } from './start-import-form.js';

/** Data import: FHIR Bundles and NDJSON uploaded here are imported in the background, with progress and an error report. */
export default function ImportPage() {
  const imports = useImports();
  // The import just started opens its report when it finishes; others open on request.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <Stack>
      <Title order={1} size="h2">
        Import data
      </Title>
      <StartImportForm onStarted={(started) => setExpanded((open) => new Set(open).add(started.id))} />
      <Title order={2} size="h3">
        Imports
      </Title>
      {imports.isPending && <PageLoader label="Loading imports" />}
      {imports.isError && (
        <Alert color="red" title="Imports could not be loaded" role="alert">
          {describeError(imports.error)}
        </Alert>
      )}
      {imports.data?.length === 0 && <Text>No imports yet.</Text>}
      {imports.data?.map((dataImport) => (
        <ImportCard key={dataImport.id} dataImport={dataImport} expanded={expanded.has(dataImport.id)} onToggle={() => toggle(dataImport.id)} />
      ))}
    </Stack>
  );
}
