import { Alert, Fieldset, NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import { describeError } from '../../api/problem.js';
import { payerIdOf, usePayers } from '../directory.js';
import { ImageField } from '../image-field.js';
import { ORDER_LABELS, RELATIONSHIPS, type CoverageDraft } from './coverage-draft.js';

/** The insurance card's fields, used at registration and when a card is added later. */
export function CoverageFields({ value, onChange, errors, legend }: { value: CoverageDraft; onChange: (draft: CoverageDraft) => void; errors: Record<string, string>; legend: string }) {
  const payers = usePayers();
  const set = (field: keyof CoverageDraft) => (event: { currentTarget: { value: string } }) => onChange({ ...value, [field]: event.currentTarget.value });
  return (
    <Fieldset legend={legend}>
      {payers.isError && (
        <Alert color="red" role="alert" mb="sm">
          The list of payers could not be loaded: {describeError(payers.error)}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        <NativeSelect
          label="Payer"
          withAsterisk
          value={value.payer}
          onChange={set('payer')}
          error={errors.payer}
          data={[{ value: '', label: payers.isPending ? 'Loading payers…' : 'Choose the payer' }, ...(payers.data ?? []).map((o) => ({ value: o.id!, label: `${o.name ?? 'Unnamed payer'} (payer ID ${payerIdOf(o) ?? '—'})` }))]}
        />
        <TextInput label="Member ID" withAsterisk value={value.memberId} onChange={set('memberId')} error={errors.memberId} />
        <TextInput label="Group number" value={value.groupNumber} onChange={set('groupNumber')} />
        <NativeSelect label="Patient's relationship to the subscriber" value={value.relationship} onChange={set('relationship')} data={Object.entries(RELATIONSHIPS).map(([v, label]) => ({ value: v, label }))} />
        {value.relationship !== 'self' && <TextInput label="Subscriber name" withAsterisk value={value.subscriberName} onChange={set('subscriberName')} error={errors.subscriberName} description="As printed on the card" />}
        <NativeSelect label="Order" value={value.order} onChange={set('order')} data={Object.entries(ORDER_LABELS).map(([v, label]) => ({ value: v, label }))} />
        <TextInput label="Effective from" type="date" value={value.periodStart} onChange={set('periodStart')} />
        <TextInput label="Effective until" type="date" value={value.periodEnd} onChange={set('periodEnd')} error={errors.periodEnd} />
        <TextInput label="Copay (USD)" inputMode="decimal" value={value.copay} onChange={set('copay')} error={errors.copay} description="Per office visit, e.g. 25.00" />
        <ImageField label="Card front" title="Insurance card front" onChange={(image) => onChange({ ...value, cardFront: image })} />
        <ImageField label="Card back" title="Insurance card back" onChange={(image) => onChange({ ...value, cardBack: image })} />
      </SimpleGrid>
    </Fieldset>
  );
}
