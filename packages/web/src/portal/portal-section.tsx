import { Alert, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { describeError } from '../api/problem.js';
import { ScrollTable } from '../shell/scroll-table.js';

/** A part of the record with its own loading, empty and error states, so one slow list does not hide the others. */
export function PortalSection<T>(props: {
  title: string;
  query: { isPending: boolean; isError: boolean; error: unknown; data?: { resources: T[] } };
  empty: string;
  columns: readonly string[];
  row: (item: T) => ReactNode[];
  rowKey: (item: T) => string;
}) {
  const { title, query, empty, columns, row, rowKey } = props;
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id} data-state={query.isPending ? 'loading' : 'ready'}>
      <Stack gap="xs">
        <Title order={2} size="h3" id={id}>
          {title}
        </Title>
        {query.isPending ? (
          <Loader size="sm" aria-label={`Loading ${title.toLowerCase()}`} />
        ) : query.isError ? (
          <Alert color="red" role="alert" title={`${title} could not be loaded`}>
            {describeError(query.error)}
          </Alert>
        ) : !query.data?.resources.length ? (
          <Text c="gray.7">{empty}</Text>
        ) : (
          <ScrollTable label={title} minWidth={560}>
            <Table striped aria-labelledby={id}>
              <Table.Thead>
                <Table.Tr>
                  {columns.map((column) => (
                    <Table.Th key={column} scope="col">
                      {column}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data.resources.map((item) => (
                  <Table.Tr key={rowKey(item)}>
                    {row(item).map((cell, i) => (
                      <Table.Td key={i}>{cell}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Stack>
    </Paper>
  );
}
