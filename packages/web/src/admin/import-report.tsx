import { Alert, Table, Text } from '@mantine/core';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useImport } from './import-queries.js';

/** Every problem of one import, file by file: where it is and what is wrong. */
export function ImportReport({ importId }: { importId: string }) {
  const report = useImport(importId);
  if (report.isPending) return <PageLoader label="Loading the error report" />;
  if (report.isError) {
    return (
      <Alert color="red" title="The error report could not be loaded" role="alert">
        {describeError(report.error)}
      </Alert>
    );
  }
  const rows = report.data.files.flatMap((file) => (file.problems ?? []).map((problem, i) => ({ key: `${file.name}-${i}`, file: file.name, ...problem })));
  if (rows.length === 0) return <Text size="sm">No problems: every entry was imported.</Text>;
  const cut = report.data.files.some((file) => file.problemCount > (file.problems?.length ?? 0));
  return (
    <>
      <ScrollTable label="Error report (scrollable)" minWidth={700}>
        <Table striped aria-label="Error report">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th>Entry</Table.Th>
              <Table.Th>Path</Table.Th>
              <Table.Th>Message</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.key}>
                <Table.Td>{row.file}</Table.Td>
                <Table.Td>{row.at ?? 'whole file'}</Table.Td>
                <Table.Td>{row.path ?? '—'}</Table.Td>
                <Table.Td>{row.message}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      {cut && <Text size="sm">Only the first 1,000 problems of a file are kept; its failed count includes them all.</Text>}
    </>
  );
}
