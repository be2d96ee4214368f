import type { Appointment, Encounter, Parameters, ParametersParameter, PaymentReconciliation } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';

let clock = new Date('2030-05-06T14:00:00Z');
const env = useTestServer({ scheduling: { defaultTimeZone: 'America/New_York', now: () => clock } });
const ids: Record<string, string> = {};

async function create<T extends { resourceType: string }>(resource: T): Promise<string> {
  const response = await env.server.fhir('POST', resource.resourceType, resource);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
}

const booked = (patient: string, start: string): Appointment => ({
  resourceType: 'Appointment',
  status: 'booked',
  start,
  end: new Date(new Date(start).getTime() + 20 * 60_000).toISOString(),
  participant: [
    { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
    { actor: { reference: `Practitioner/${ids.doctor}` }, status: 'accepted' },
  ],
});
const parameters = (...parameter: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter });
const part = (body: Parameters, name: string) => body.parameter!.find((p) => p.name === name);
const checkIn = (id: string, body: Parameters = parameters()) => env.server.fhir('POST', `Appointment/${id}/$check-in`, body);
const step = (id: string, status: string, extra: ParametersParameter[] = []) => env.server.fhir('POST', `Appointment/${id}/$visit-status`, parameters({ name: 'status', valueCode: status }, ...extra));

beforeAll(async () => {
  ids.doctor = await create({ resourceType: 'Practitioner', name: [{ family: 'Osei', given: ['Kwame'] }] });
  ids.payer = await create({ resourceType: 'Organization', name: 'Acme Health Plan', identifier: [{ system: 'https://unichart.dev/fhir/payer-id', value: '60054' }] });
  ids.room = await create({ resourceType: 'Location', name: 'Exam 2', physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro' }] } });
  ids.insured = await create({ resourceType: 'Patient', name: [{ family: 'Insured', given: ['Ivy'] }] });
  ids.uninsured = await create({ resourceType: 'Patient', name: [{ family: 'Selfpay', given: ['Sol'] }] });
  const coverage = (period: { start: string; end?: string }, copay: number) => ({
    resourceType: 'Coverage',
    status: 'active',
    order: 1,
    beneficiary: { reference: `Patient/${ids.insured}` },
    payor: [{ reference: `Organization/${ids.payer}` }],
    period,
    costToBeneficiary: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-copay-type', code: 'gpvisit' }] }, valueMoney: { value: copay, currency: 'USD' } }],
  });
  await create(coverage({ start: '2029-01-01', end: '2029-12-31' }, 40));
  ids.coverage = await create(coverage({ start: '2030-01-01' }, 25));
  ids.first = await create(booked(ids.insured!, '2030-05-06T14:00:00Z'));
  ids.second = await create(booked(ids.uninsured!, '2030-05-06T14:20:00Z'));
  ids.missed = await create(booked(ids.uninsured!, '2030-05-06T16:00:00Z'));
});

describe('check-in', () => {
  it('records arrival, finds the coverage active that day with its copay, takes the payment and opens the Encounter', async () => {
    const response = await checkIn(ids.first!, parameters({ name: 'copay-paid', valueMoney: { value: 25, currency: 'USD' } }, { name: 'payment-method', valueCode: 'card' }, { name: 'demographics-confirmed', valueBoolean: true }));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const body = response.body as Parameters;
    expect(part(body, 'appointment')!.resource).toMatchObject({ id: ids.first, status: 'arrived' });
    expect(part(body, 'coverage')!.resource!.id).toBe(ids.coverage);
    expect(part(body, 'copay-due')!.valueMoney).toEqual({ value: 25, currency: 'USD' });
    expect(body.parameter!.filter((p) => p.name === 'warning')).toEqual([]);
    const encounter = part(body, 'encounter')!.resource as Encounter;
    expect(encounter).toMatchObject({ status: 'arrived', class: { code: 'AMB' }, subject: { reference: `Patient/${ids.insured}` }, appointment: [{ reference: `Appointment/${ids.first}` }], period: { start: '2030-05-06T14:00:00.000Z' } });
    const payment = part(body, 'payment')!.resource as PaymentReconciliation;
    expect(payment).toMatchObject({ paymentAmount: { value: 25 }, detail: [{ request: { reference: `Encounter/${encounter.id}` } }] });
    // The visit can be found from the chart and the claim side alike.
    const found = await env.server.fhir('GET', `Encounter?appointment=Appointment/${ids.first}`);
    expect(found.body.entry).toHaveLength(1);
    expect((await checkIn(ids.first!)).status).toBe(409);
  });

  it('warns when there is no coverage, and refuses a payment without a method, writing nothing', async () => {
    const encountersBefore = (await env.server.fhir('GET', 'Encounter?_summary=count')).body.total;
    const refused = await checkIn(ids.second!, parameters({ name: 'copay-paid', valueMoney: { value: 10, currency: 'USD' } }));
    expect(refused.status).toBe(400);
    expect((await env.server.fhir('GET', 'Encounter?_summary=count')).body.total).toBe(encountersBefore);
    expect(((await env.server.fhir('GET', `Appointment/${ids.second}`)).body as Appointment).status).toBe('booked');

    clock = new Date('2030-05-06T14:05:00Z');
    const response = await checkIn(ids.second!);
    expect(response.status).toBe(200);
    expect(part(response.body, 'warning')!.valueString).toContain('self-pay');
    expect(part(response.body, 'coverage')).toBeUndefined();
  });

  it('is not for billers', async () => {
    const other = await create(booked(ids.uninsured!, '2030-05-07T14:00:00Z'));
    const biller = await env.server.signInAs('biller');
    expect((await biller.fhir('POST', `Appointment/${other}/$check-in`, parameters())).status).toBe(403);
  });
});

describe('through the visit, and the day view', () => {
  it('moves appointment and encounter together and shows status and wait time per appointment', async () => {
    clock = new Date('2030-05-06T14:25:00Z');
    expect((await step(ids.first!, 'in-room', [{ name: 'room', valueReference: { reference: `Location/${ids.room}` } }])).status).toBe(200);
    clock = new Date('2030-05-06T14:40:00Z');
    const seen = await step(ids.first!, 'with-clinician');
    expect(seen.status).toBe(200);
    expect(part(seen.body, 'encounter')!.resource).toMatchObject({ status: 'in-progress', location: [{ location: { reference: `Location/${ids.room}` }, status: 'active' }] });
    expect((await step(ids.first!, 'in-room')).status).toBe(409);
    expect((await step(ids.missed!, 'no-show')).status).toBe(200);
    expect((await step(ids.second!, 'no-show')).status).toBe(409);

    clock = new Date('2030-05-06T14:50:00Z');
    const view = await env.server.fhir('GET', `Appointment/$day-view?date=2030-05-06&practitioner=${ids.doctor}`);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    const rows = (view.body as Parameters).parameter!.filter((p) => p.name === 'row').map((row) => Object.fromEntries(row.part!.map((p) => [p.name, p.valueCode ?? p.valueInteger ?? p.valueReference?.display ?? p.valueDateTime])));
    expect(rows.map((r) => [r.patient, r.status, r['wait-minutes']])).toEqual([
      ['Ivy Insured', 'with clinician', 40],
      ['Sol Selfpay', 'arrived', 45],
      ['Sol Selfpay', 'no-show', undefined],
    ]);

    clock = new Date('2030-05-06T15:05:00Z');
    const out = await step(ids.first!, 'checked-out');
    expect(part(out.body, 'appointment')!.resource!).toMatchObject({ status: 'fulfilled' });
    expect(part(out.body, 'encounter')!.resource!).toMatchObject({ status: 'finished', period: { start: '2030-05-06T14:00:00.000Z', end: '2030-05-06T15:05:00.000Z' } });
    const history = (part(out.body, 'encounter')!.resource as Encounter).statusHistory!.map((h) => h.status);
    expect(history).toEqual(['arrived', 'triaged', 'in-progress']);
  });

  it('refuses a bad date or status with a 400', async () => {
    expect((await env.server.fhir('GET', 'Appointment/$day-view?date=2030-02-30')).status).toBe(400);
    expect((await step(ids.first!, 'teleported')).status).toBe(400);
  });
});
