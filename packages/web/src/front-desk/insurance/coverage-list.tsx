import type { Coverage, Organization } from '@medplum/fhirtypes';
import { Badge, Table, Text } from '@mantine/core';
import { ScrollTable } from '../../shell/scroll-table.js';
import { formatMoney } from '../fhir-resources.js';
import { ORDER_LABELS } from './coverage-draft.js';

/** The patient's insurance on file, payer first, with whether each is active today. */
export function CoverageList({ coverages, payers, day }: { coverages: readonly Coverage[]; payers: ReadonlyMap<string, Organization>; day: string }) {
  if (coverages.length === 0) return <Text role="status">No insurance on file: visits are self-pay until a card is added.</Text>;
  return (
    <ScrollTable label="Insurance on file (scrollable)" minWidth={640}>
      <Table aria-label="Insurance on file" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Order</Table.Th>
            <Table.Th>Payer</Table.Th>
            <Table.Th>Member ID</Table.Th>
            <Table.Th>Group</Table.Th>
            <Table.Th>Effective</Table.Th>
            <Table.Th>Copay</Table.Th>
            <Table.Th>Today</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...coverages].sort((a, b) => (a.order ?? 9) - (b.order ?? 9)).map((c) => {
            const active = c.status === 'active' && (!c.period?.start || c.period.start.slice(0, 10) <= day) && (!c.period?.end || c.period.end.slice(0, 10) >= day);
            return (
              <Table.Tr key={c.id}>
                <Table.Td>{ORDER_LABELS[String(c.order ?? 1)] ?? c.order}</Table.Td>
                <Table.Td>{payers.get(c.payor[0]?.reference ?? '')?.name ?? c.payor[0]?.display ?? c.payor[0]?.reference}</Table.Td>
                <Table.Td>{c.subscriberId ?? '—'}</Table.Td>
                <Table.Td>{c.class?.find((k) => k.type.coding?.some((t) => t.code === 'group'))?.value ?? '—'}</Table.Td>
                <Table.Td>{c.period ? `${c.period.start ?? '…'} to ${c.period.end ?? 'open'}` : 'Open'}</Table.Td>
                <Table.Td>{formatMoney(c.costToBeneficiary?.find((x) => x.valueMoney)?.valueMoney?.value)}</Table.Td>
                <Table.Td>
                  <Badge color={active ? '#1f6f31' : 'gray.8'}>{active ? 'Active' : 'Not active'}</Badge>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
