import type { Appointment, Bundle, Coverage, Organization, Parameters, Patient, PaymentReconciliation } from '@medplum/fhirtypes';
import { Alert, Anchor, Badge, Button, Checkbox, Fieldset, Group, List, NativeSelect, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { describeError } from '../../api/problem.js';
import { PatientBanner } from '../../patients/patient-banner.js';
import type { Patient as BannerPatient } from '../../patients/patient.js';
import { PageLoader } from '../../shell/page-loader.js';
import { useSession } from '../../session/session-context.js';
import { personName } from '../directory.js';
import { entriesOf, formatMoney, formatWhen, idOf, localDay, parameterOf, parameters, participantsOf } from '../fhir-resources.js';
import { centsOf } from '../insurance/coverage-draft.js';
import { coverageOnDate } from './coverage-on-date.js';

/**
 * Check-in: the desk confirms who the patient is and how to reach them, sees whether the
 * insurance covers the visit day and the copay due, takes the payment, and records arrival
 * (`Appointment/{id}/$check-in`), which opens the visit's Encounter.
 */
export default function CheckInPage() {
  const { api } = useSession();
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const visit = useQuery({
    queryKey: ['front-desk', 'check-in', id],
    queryFn: async () => {
      const appointment = await api.get<Appointment>(`/fhir/R4/Appointment/${encodeURIComponent(id)}`);
      const patientRef = participantsOf(appointment, 'Patient')[0] ?? '';
      const [patient, coverages] = await Promise.all([
        api.get<Patient>(`/fhir/R4/${patientRef}`),
        api.get<Bundle>(`/fhir/R4/Coverage?beneficiary=${encodeURIComponent(patientRef)}&_count=50`).then((b) => entriesOf<Coverage>(b, 'Coverage')),
      ]);
      const payerIds = [...new Set(coverages.flatMap((c) => c.payor.map((p) => idOf(p.reference))).filter(Boolean))];
      const payers = payerIds.length ? entriesOf<Organization>(await api.get<Bundle>(`/fhir/R4/Organization?_id=${payerIds.join(',')}`), 'Organization') : [];
      return { appointment, patient, coverages, payers: new Map(payers.map((o) => [`Organization/${o.id}`, o.name ?? 'Unnamed payer'])) };
    },
  });
  const [confirmed, setConfirmed] = useState(false);
  const [amount, setAmount] = useState<string>();
  const [method, setMethod] = useState('card');
  const [formError, setFormError] = useState<string>();
  const checkIn = useMutation({
    mutationFn: (paid: number | undefined) =>
      api.post<Parameters>(
        `/fhir/R4/Appointment/${encodeURIComponent(id)}/$check-in`,
        parameters(
          { name: 'demographics-confirmed', valueBoolean: confirmed },
          ...(paid ? [{ name: 'copay-paid', valueMoney: { value: paid / 100, currency: 'USD' as const } }, { name: 'payment-method', valueCode: method }] : []),
        ),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['Appointment'] }),
  });

  if (visit.isPending) return <PageLoader label="Loading the appointment" />;
  if (visit.isError) {
    return (
      <Alert color="red" role="alert" title="The appointment could not be opened">
        {describeError(visit.error)}
      </Alert>
    );
  }
  const { appointment, patient, coverages, payers } = visit.data;
  const day = appointment.start ? localDay(new Date(appointment.start)) : localDay(new Date());
  const status = coverageOnDate(coverages, day);
  const due = status.copayDue?.value;
  const typedAmount = amount ?? (due ? due.toFixed(2) : '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (typedAmount.trim() && !/^\d{1,5}(\.\d{1,2})?$/.test(typedAmount.trim())) return setFormError('Enter the amount paid in dollars, such as 25.00, or leave it empty.');
    setFormError(undefined);
    const cents = typedAmount.trim() ? centsOf(typedAmount) : 0;
    checkIn.mutate(cents > 0 ? cents : undefined);
  };
  const address = patient.address?.[0];
  const fact = (label: string, value: string | undefined) => (
    <div>
      <Text size="xs" c="gray.7">
        {label}
      </Text>
      <Text>{value || 'Not recorded'}</Text>
    </div>
  );

  if (checkIn.isSuccess) {
    const payment = parameterOf(checkIn.data, 'payment')?.resource as PaymentReconciliation | undefined;
    const warnings = (checkIn.data.parameter ?? []).filter((p) => p.name === 'warning').map((p) => p.valueString ?? '');
    return (
      <Stack>
        <PatientBanner patient={patient as unknown as BannerPatient} />
        <Alert color="green" role="status" title="Checked in">
          {personName(patient.name)} has arrived for {formatWhen(appointment.start)}.{' '}
          {payment ? `Payment recorded: ${formatMoney(payment.paymentAmount.value)} by ${payment.paymentIdentifier?.value ?? method} (receipt ${payment.id}).` : 'No payment was recorded.'}
        </Alert>
        {warnings.length > 0 && (
          <Alert color="yellow" title="To follow up" role="note">
            <List>
              {warnings.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Anchor component={Link} to="/app/front-desk">
          Back to today’s list
        </Anchor>
      </Stack>
    );
  }

  return (
    <Stack component="form" onSubmit={submit} aria-labelledby="check-in-title">
      <PatientBanner patient={patient as unknown as BannerPatient} />
      <Title order={2} size="h3" id="check-in-title">
        Check in for {formatWhen(appointment.start)}
      </Title>
      {appointment.status !== 'booked' && (
        <Alert color="yellow" role="status">
          This appointment is {appointment.status}; only a booked appointment can be checked in.
        </Alert>
      )}
      <Fieldset legend="Confirm demographics with the patient">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="sm">
          {fact('Address', address ? [address.line?.join(' '), address.city, address.state, address.postalCode].filter(Boolean).join(', ') : undefined)}
          {fact('Phone', patient.telecom?.filter((t) => t.system === 'phone').map((t) => t.value).join(', '))}
          {fact('Email', patient.telecom?.find((t) => t.system === 'email')?.value)}
          {fact('Preferred name', patient.name?.find((n) => n.use === 'usual')?.given?.join(' '))}
        </SimpleGrid>
        <Checkbox label="The patient confirmed their name, birth date, address and phone" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
        <Anchor component={Link} to={`/app/front-desk/patients/${patient.id}`} size="sm">
          Something changed? Open the patient’s record
        </Anchor>
      </Fieldset>
      <Fieldset legend="Insurance and copay">
        <Stack gap="xs" aria-label="Coverage status" role="group">
          {status.active ? (
            <Group gap="sm">
              <Badge color="#1f6f31">Coverage active</Badge>
              <Text>
                {payers.get(status.active.payor[0]?.reference ?? '') ?? 'Payer'}, member {status.active.subscriberId ?? '—'}, active on {day}
              </Text>
            </Group>
          ) : (
            <Group gap="sm">
              <Badge color="red.9">No active coverage</Badge>
              <Text>No insurance covers {day}: the visit is self-pay unless a card is added.</Text>
            </Group>
          )}
          {status.inactive.map(({ coverage, reason }) => (
            <Text key={coverage.id} size="sm" c="gray.7">
              {payers.get(coverage.payor[0]?.reference ?? '') ?? 'A card'} on file does not cover the visit: {reason}.
            </Text>
          ))}
          <Text fw={600}>Copay due: {due !== undefined ? formatMoney(due, status.copayDue?.currency) : 'none'}</Text>
        </Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} mt="sm">
          <TextInput label="Amount paid (USD)" inputMode="decimal" value={typedAmount} onChange={(e) => setAmount(e.currentTarget.value)} error={formError} description="Leave empty if nothing is paid now" />
          <NativeSelect label="Payment method" value={method} onChange={(e) => setMethod(e.currentTarget.value)} data={[{ value: 'card', label: 'Card' }, { value: 'cash', label: 'Cash' }, { value: 'check', label: 'Check' }]} />
        </SimpleGrid>
      </Fieldset>
      {checkIn.isError && (
        <Alert color="red" role="alert" title="The patient was not checked in">
          {describeError(checkIn.error)}
        </Alert>
      )}
      <Group>
        <Button type="submit" loading={checkIn.isPending} disabled={appointment.status !== 'booked'}>
          Check in
        </Button>
      </Group>
    </Stack>
  );
}
