import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { Alert, Badge, Grid, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { conceptText, dateText } from './clinical-text.js';
import { PortalSection } from './portal-section.js';
import { useOwnPatientId, useSearch } from './portal-queries.js';
import { rangeText, resultSeries, type ResultPoint, type ResultSeries } from './result-series.js';
import { TrendChart } from './trend-chart.js';

const FLAG: Record<NonNullable<ResultPoint['flag']>, { label: string; color: string }> = {
  low: { label: 'Below range', color: 'indigo.9' },
  high: { label: 'Above range', color: 'red.8' },
  normal: { label: 'In range', color: 'teal.9' },
};

/** Results: each test's latest value against its reference range, a trend plot over time, and the reports. */
export default function ResultsPage() {
  const patientId = useOwnPatientId();
  const own = `patient=Patient/${patientId}`;
  const observations = useSearch<Observation>('Observation', `${own}&_sort=-date&_count=1000`);
  const reports = useSearch<DiagnosticReport>('DiagnosticReport', `${own}&_sort=-date&_count=100`);

  if (observations.isPending) return <PageLoader label="Loading your results" />;
  if (observations.isError) {
    return (
      <Alert color="red" title="Your results could not be loaded" role="alert">
        {describeError(observations.error)}
      </Alert>
    );
  }
  const series = resultSeries(observations.data.resources);
  return (
    <Stack>
      <Title order={1} size="h2">
        My results
      </Title>
      {series.length === 0 ? <Text c="gray.7">No results yet.</Text> : series.map((s) => <ResultCard key={s.key} series={s} />)}
      <PortalSection
        title="Reports"
        query={reports}
        empty="No reports yet."
        columns={['Report', 'Date', 'Status', 'Conclusion']}
        rowKey={(r) => r.id!}
        row={(r) => [conceptText(r.code), dateText(r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued), r.status, r.conclusion ?? '']}
      />
    </Stack>
  );
}

function FlagBadge({ flag }: { flag: ResultPoint['flag'] }) {
  if (!flag) return null;
  return (
    <Badge color={FLAG[flag].color} variant="filled">
      {FLAG[flag].label}
    </Badge>
  );
}

function ResultCard({ series }: { series: ResultSeries }) {
  const id = `result-${series.key.replace(/[^A-Za-z0-9]+/g, '-')}`;
  const plotted = series.points.filter((p) => p.value !== undefined).length >= 2;
  const range = rangeText(series.low, series.high, series.unit);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Stack gap="xs">
        <Title order={2} size="h3" id={id}>
          {series.name}
        </Title>
        <Text>
          Latest: <strong>{[series.latest.text, series.latest.unit].filter(Boolean).join(' ')}</strong> on {dateText(series.latest.when)} <FlagBadge flag={series.latest.flag} />
        </Text>
        {range && <Text c="gray.7">Reference range: {range}</Text>}
        <Grid>
          {plotted && (
            <Grid.Col span={{ base: 12, md: 7 }}>
              <TrendChart series={series} />
            </Grid.Col>
          )}
          <Grid.Col span={{ base: 12, md: plotted ? 5 : 12 }}>
            <ScrollTable label={`${series.name} values`} minWidth={320}>
              <Table striped aria-label={`${series.name} over time`}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Date</Table.Th>
                    <Table.Th scope="col">Value</Table.Th>
                    <Table.Th scope="col">Range</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...series.points].reverse().map((p) => (
                    <Table.Tr key={p.id}>
                      <Table.Td>{dateText(p.when)}</Table.Td>
                      <Table.Td>
                        {[p.text, p.unit].filter(Boolean).join(' ')} <FlagBadge flag={p.flag} />
                      </Table.Td>
                      <Table.Td>{rangeText(p.low, p.high, p.unit)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          </Grid.Col>
        </Grid>
      </Stack>
    </Paper>
  );
}
