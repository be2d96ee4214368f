import { Alert, Button, Group, NativeSelect, Progress, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { nextPagePath, resourcesOf, type Bundle } from '../patients/patient.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useSession } from '../session/session-context.js';
import { useAccounts } from './admin-queries.js';
import { AUDIT_ACTIONS, auditCsv, auditRowOf, auditSearch, NO_FILTERS, type AuditEvent, type AuditFilters, type AuditRow } from './audit-rows.js';

/** More than this and the export should be a server job; the viewer refuses rather than freeze the tab. */
const EXPORT_LIMIT = 50_000;

/** The audit trail: filter by patient, user, action and dates; export what the filters select. */
export default function AuditPage() {
  const { api } = useSession();
  const accounts = useAccounts();
  const [draft, setDraft] = useState<AuditFilters>(NO_FILTERS);
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [exporting, setExporting] = useState<{ rows: number; done: boolean; problem?: string } | undefined>();

  const events = useInfiniteQuery({
    queryKey: ['AuditEvent', filters],
    initialPageParam: `/fhir/R4/AuditEvent?${auditSearch(filters).toString()}`,
    queryFn: ({ pageParam }) => api.get<Bundle<AuditEvent>>(pageParam),
    getNextPageParam: (page) => nextPagePath(page),
  });
  const rows = events.data?.pages.flatMap((page) => resourcesOf(page).map(auditRowOf)) ?? [];

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) return;
    setExporting(undefined);
    setFilters(draft);
  };

  const exportCsv = async () => {
    const collected: AuditRow[] = [];
    setExporting({ rows: 0, done: false });
    try {
      let path: string | undefined = `/fhir/R4/AuditEvent?${auditSearch(filters, 500).toString()}`;
      while (path && collected.length < EXPORT_LIMIT) {
        const page: Bundle<AuditEvent> = await api.get<Bundle<AuditEvent>>(path);
        collected.push(...resourcesOf(page).map(auditRowOf));
        setExporting({ rows: collected.length, done: false });
        path = nextPagePath(page);
      }
      const url = URL.createObjectURL(new Blob([auditCsv(collected)], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `audit-trail-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      URL.revokeObjectURL(url);
      setExporting({ rows: collected.length, done: true, problem: path ? `Only the first ${EXPORT_LIMIT} events were exported; narrow the filters for the rest.` : undefined });
    } catch (error) {
      setExporting({ rows: collected.length, done: true, problem: describeError(error) });
    }
  };

  const dateProblem = draft.from && draft.to && draft.from > draft.to ? 'The end date is before the start date' : undefined;
  const set = (field: keyof AuditFilters) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value });

  return (
    <Stack>
      <Title order={1} size="h2">
        Audit trail
      </Title>
      <form onSubmit={apply} aria-label="Audit filters">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }}>
          <TextInput label="Patient" description="Patient id" value={draft.patient} onChange={set('patient')} />
          <NativeSelect
            label="User"
            description="Who acted"
            value={draft.agent}
            onChange={set('agent')}
            data={[{ value: '', label: 'Anyone' }, ...(accounts.data ?? []).map((a) => ({ value: a.id, label: `${a.displayName} (${a.email})` }))]}
          />
          <NativeSelect label="Action" description="What was done" value={draft.action} onChange={set('action')} data={[{ value: '', label: 'Any action' }, ...Object.entries(AUDIT_ACTIONS).map(([value, label]) => ({ value, label }))]} />
          <TextInput label="From" description="First day" type="date" value={draft.from} onChange={set('from')} />
          <TextInput label="To" description="Last day" type="date" value={draft.to} onChange={set('to')} error={dateProblem} />
        </SimpleGrid>
        <Group mt="md">
          <Button type="submit" disabled={Boolean(dateProblem)}>
            Apply filters
          </Button>
          <Button variant="default" onClick={() => { setDraft(NO_FILTERS); setFilters(NO_FILTERS); }}>
            Clear
          </Button>
          <Button variant="outline" onClick={() => void exportCsv()} disabled={exporting?.done === false} loading={exporting?.done === false}>
            Export CSV
          </Button>
        </Group>
      </form>
      {exporting && (
        <Stack gap={4} role="status" aria-live="polite">
          <Text size="sm">{exporting.done ? `Exported ${eventCount(exporting.rows)}.` : `Exporting… ${eventCount(exporting.rows)} so far`}</Text>
          {!exporting.done && <Progress value={100} animated aria-label="Export in progress" />}
          {exporting.problem && (
            <Alert color="red" role="alert">
              {exporting.problem}
            </Alert>
          )}
        </Stack>
      )}
      {events.isPending && <PageLoader label="Loading the audit trail" />}
      {events.isError && (
        <Alert color="red" title="The audit trail could not be loaded" role="alert">
          {describeError(events.error)}
        </Alert>
      )}
      {events.isSuccess && rows.length === 0 && <Text role="status">No events match these filters.</Text>}
      {rows.length > 0 && (
        <ScrollTable label="Audit events (scrollable)" minWidth={900}>
          <Table striped aria-label="Audit events" verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>User</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Patient</Table.Th>
                <Table.Th>From</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row, index) => (
                <Table.Tr key={`${row.recorded}-${index}`}>
                  <Table.Td>{new Date(row.recorded).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {row.user}
                    {row.role && ` (${row.role})`}
                  </Table.Td>
                  <Table.Td>{row.action}</Table.Td>
                  <Table.Td>{row.detail ? `${row.outcome}: ${row.detail}` : row.outcome}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{row.what}</Table.Td>
                  <Table.Td>{row.patients}</Table.Td>
                  <Table.Td>{row.address}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {events.hasNextPage && (
        <Button variant="default" onClick={() => void events.fetchNextPage()} loading={events.isFetchingNextPage}>
          Show older events
        </Button>
      )}
    </Stack>
  );
}

function eventCount(count: number): string {
  return `${count} ${count === 1 ? 'event' : 'events'}`;
}
