import { badRequest, FhirError, forbidden, parseFhirDateRange, parseSearchRequest } from '@unichart/fhir';
import type { Appointment, Coverage, Encounter, EncounterStatusHistory, Money, Parameters, ParametersParameter, Patient, PaymentReconciliation } from '@medplum/fhirtypes';
import { DateTime, IANAZone } from 'luxon';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { FhirOperation } from '../fhir/router.js';
import { parametersOf, readReachable } from '../fhir/operation-inputs.js';
import { appointmentTypeCode } from './appointment-types.js';
import { participantsOf, searchAll } from './schedule-book.js';

/**
 * The visit, from the desk's side: check-in (arrival, coverage, copay) opens the Encounter that
 * the clinician's note and the biller's claim hang off; each later step (roomed, with the
 * clinician, checked out, or a no-show) moves Appointment and Encounter together, and the
 * Encounter's status history gives the wait times the day view shows.
 */
export type VisitStep = 'in-room' | 'with-clinician' | 'checked-out' | 'no-show';

const STEP_STATUS: Record<Exclude<VisitStep, 'no-show'>, Encounter['status']> = { 'in-room': 'triaged', 'with-clinician': 'in-progress', 'checked-out': 'finished' };
const STATUS_LABEL: Record<string, string> = {
  booked: 'booked',
  pending: 'booked',
  arrived: 'arrived',
  triaged: 'in room',
  'in-progress': 'with clinician',
  finished: 'checked out',
  noshow: 'no-show',
  cancelled: 'cancelled',
  fulfilled: 'checked out',
};
const COPAY_TYPES = new Set(['copay', 'gpvisit', 'spvisit']);
const PAYMENT_METHODS = new Set(['cash', 'card', 'check']);

export function visitOperations(options: { defaultTimeZone: string; now?: () => Date }): FhirOperation[] {
  const now = options.now ?? (() => new Date());

  const checkIn: FhirOperation = {
    resourceType: 'Appointment',
    name: 'check-in',
    level: 'instance',
    methods: ['POST'],
    async invoke(ctx, req, id) {
      ctx.access.require('Appointment', 'update');
      ctx.access.require('Encounter', 'create');
      const appointment = await readReachable<Appointment>(ctx.tx, ctx.access, 'Appointment', id!, 'update');
      if (appointment.status !== 'booked' && appointment.status !== 'pending') {
        throw new FhirError(409, 'conflict', `Appointment/${id} is ${appointment.status}; only a booked appointment can be checked in`);
      }
      const parameters = parametersOf(req.body);
      const patient = participantsOf(appointment, 'Patient')[0];
      if (!patient) throw badRequest(`Appointment/${id} names no patient`);
      const at = now();
      const coverage = await activeCoverage(ctx.tx, patient, new Date(appointment.start ?? at));
      const copayDue = coverage ? copayOf(coverage) : undefined;
      const paid = moneyParam(parameters, 'copay-paid');
      const method = parameters.find((p) => p.name === 'payment-method')?.valueCode ?? parameters.find((p) => p.name === 'payment-method')?.valueString;
      if (paid && (!method || !PAYMENT_METHODS.has(method))) throw badRequest('payment-method must be cash, card or check when a payment is recorded', 'payment-method');

      const encounter = (
        await ctx.tx.create({
          resourceType: 'Encounter',
          status: 'arrived',
          class: appointmentTypeCode(appointment.appointmentType) === 'telehealth'
            ? { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR', display: 'virtual' }
            : { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
          ...(appointment.appointmentType ? { type: [appointment.appointmentType] } : {}),
          subject: { reference: patient },
          participant: participantsOf(appointment, 'Practitioner').map((reference) => ({ individual: { reference } })),
          appointment: [{ reference: `Appointment/${id}` }],
          period: { start: at.toISOString() },
          ...(participantsOf(appointment, 'Location').length ? { location: participantsOf(appointment, 'Location').map((reference) => ({ location: { reference } })) } : {}),
          ...(coverage ? { extension: [{ url: COVERAGE_CHECKED_URL, valueReference: { reference: `Coverage/${coverage.id}` } }] } : {}),
        } satisfies Encounter)
      ).resource as Encounter;
      const arrived = (await ctx.tx.update({ ...appointment, status: 'arrived' })).resource as Appointment;
      const payment = paid
        ? ((
            await ctx.tx.create({
              resourceType: 'PaymentReconciliation',
              status: 'active',
              created: at.toISOString(),
              paymentDate: at.toISOString().slice(0, 10),
              paymentAmount: paid,
              disposition: `Copay collected at check-in (${method})`,
              paymentIdentifier: { system: 'https://unichart.dev/fhir/payment-method', value: method },
              detail: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/payment-type', code: 'payment' }] }, request: { reference: `Encounter/${encounter.id}` }, amount: paid, date: at.toISOString().slice(0, 10) }],
            } satisfies PaymentReconciliation)
          ).resource as PaymentReconciliation)
        : undefined;
      const warnings = [
        ...(coverage ? [] : ['No active insurance on the visit date: the visit is self-pay unless coverage is added']),
        ...(parameters.find((p) => p.name === 'demographics-confirmed')?.valueBoolean === false ? ['Demographics were not confirmed'] : []),
        ...(copayDue && !paid ? [`Copay of ${formatMoney(copayDue)} is due and was not collected`] : []),
      ];
      const body: Parameters = {
        resourceType: 'Parameters',
        parameter: [
          { name: 'appointment', resource: arrived },
          { name: 'encounter', resource: encounter },
          ...(coverage ? [{ name: 'coverage', resource: coverage }] : []),
          ...(copayDue ? [{ name: 'copay-due', valueMoney: copayDue }] : []),
          ...(payment ? [{ name: 'payment', resource: payment }] : []),
          ...warnings.map((valueString) => ({ name: 'warning', valueString })),
        ],
      };
      return { status: 200, body };
    },
  };

  const advance: FhirOperation = {
    resourceType: 'Appointment',
    name: 'visit-status',
    level: 'instance',
    methods: ['POST'],
    async invoke(ctx, req, id) {
      ctx.access.require('Appointment', 'update');
      const parameters = parametersOf(req.body);
      const step = parameters.find((p) => p.name === 'status')?.valueCode as VisitStep | undefined;
      if (!step || !['in-room', 'with-clinician', 'checked-out', 'no-show'].includes(step)) {
        throw badRequest('status must be in-room, with-clinician, checked-out or no-show', 'status');
      }
      const appointment = await readReachable<Appointment>(ctx.tx, ctx.access, 'Appointment', id!, 'update');
      const at = now().toISOString();
      if (step === 'no-show') {
        if (appointment.status !== 'booked') throw new FhirError(409, 'conflict', `Appointment/${id} is ${appointment.status}; only a booked appointment can be a no-show`);
        const updated = (await ctx.tx.update({ ...appointment, status: 'noshow' })).resource;
        return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'appointment', resource: updated }] } satisfies Parameters };
      }
      ctx.access.require('Encounter', 'update');
      const encounter = await encounterOf(ctx.tx, id!);
      if (!encounter) throw new FhirError(409, 'conflict', `Appointment/${id} has not been checked in`);
      const next = STEP_STATUS[step];
      const order = ['arrived', 'triaged', 'in-progress', 'finished'];
      if (order.indexOf(next) <= order.indexOf(encounter.status)) throw new FhirError(409, 'conflict', `The visit is already ${STATUS_LABEL[encounter.status]}`);
      const history: EncounterStatusHistory[] = [...(encounter.statusHistory ?? []), { status: encounter.status, period: { start: statusSince(encounter), end: at } }];
      const room = parameters.find((p) => p.name === 'room')?.valueReference?.reference;
      const moved: Encounter = {
        ...encounter,
        status: next,
        statusHistory: history,
        ...(next === 'finished' ? { period: { ...encounter.period, end: at } } : {}),
        ...(room ? { location: [...(encounter.location ?? []).map((l) => ({ ...l, status: 'completed' as const })), { location: { reference: room }, status: 'active' as const }] } : {}),
      };
      const updatedEncounter = (await ctx.tx.update(moved)).resource;
      const updatedAppointment = next === 'finished' ? (await ctx.tx.update({ ...appointment, status: 'fulfilled' })).resource : appointment;
      return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'appointment', resource: updatedAppointment }, { name: 'encounter', resource: updatedEncounter }] } satisfies Parameters };
    },
  };

  const dayView: FhirOperation = {
    resourceType: 'Appointment',
    name: 'day-view',
    level: 'type',
    methods: ['GET'],
    async invoke(ctx, req) {
      ctx.access.require('Appointment', 'search');
      if (ctx.access.searchScope('Appointment')) throw forbidden('The day view is for practice staff');
      const zone = req.query.get('timezone') ?? options.defaultTimeZone;
      if (!IANAZone.isValidZone(zone)) throw badRequest(`"${zone}" is not a known time zone`, 'timezone');
      const dateText = req.query.get('date') ?? DateTime.fromJSDate(now(), { zone }).toISODate()!;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(dateText) || !parseFhirDateRange(dateText)) throw badRequest('date must be a day such as 2026-11-26', 'date');
      const day = DateTime.fromISO(dateText, { zone });
      const query: Record<string, string | string[]> = { date: [`ge${day.toUTC().toISO()}`, `lt${day.plus({ days: 1 }).toUTC().toISO()}`], _count: '1000', _sort: 'date' };
      const practitioner = req.query.get('practitioner');
      if (practitioner) query.practitioner = practitioner.includes('/') ? practitioner : `Practitioner/${practitioner}`;
      const appointments = (await searchAll<Appointment>(ctx.tx, 'Appointment', query)).filter((a) => a.status !== 'cancelled' && a.status !== 'entered-in-error');
      const encounters = appointments.length
        ? await searchAll<Encounter>(ctx.tx, 'Encounter', { appointment: appointments.map((a) => `Appointment/${a.id}`).join(','), _count: '1000' })
        : [];
      const patientIds = [...new Set(appointments.flatMap((a) => participantsOf(a, 'Patient')).map((r) => r.split('/')[1]!))];
      const patients = patientIds.length ? await searchAll<Patient>(ctx.tx, 'Patient', { _id: patientIds.join(','), _count: '1000' }) : [];
      const byAppointment = new Map(encounters.flatMap((e) => (e.appointment ?? []).map((a) => [a.reference!, e] as const)));
      const names = new Map(patients.map((p) => [`Patient/${p.id}`, displayName(p)]));
      const at = now();
      await ctx.auditRead?.(ctx.tx, { kind: 'search', query: `Appointment/$day-view?${req.query.toString()}`, touched: patients.map((p) => ({ resourceType: 'Patient', id: p.id! })) });
      const rows: ParametersParameter[] = appointments.map((a) => {
        const encounter = byAppointment.get(`Appointment/${a.id}`);
        const status = encounter ? encounter.status : a.status;
        const arrivedAt = encounter?.period?.start;
        // Waiting runs from arrival until the clinician sees the patient (or the visit ends).
        const seen = encounter ? (seenAt(encounter) ?? (encounter.status === 'finished' ? encounter.period?.end : undefined)) : undefined;
        const waitMinutes = arrivedAt ? Math.max(0, Math.round(((seen ? new Date(seen) : at).getTime() - new Date(arrivedAt).getTime()) / 60_000)) : undefined;
        const patient = participantsOf(a, 'Patient')[0];
        return {
          name: 'row',
          part: [
            { name: 'appointment', valueReference: { reference: `Appointment/${a.id}` } },
            ...(encounter ? [{ name: 'encounter', valueReference: { reference: `Encounter/${encounter.id}` } }] : []),
            { name: 'start', valueDateTime: a.start },
            { name: 'end', valueDateTime: a.end },
            ...(patient ? [{ name: 'patient', valueReference: { reference: patient, display: names.get(patient) } }] : []),
            ...participantsOf(a, 'Practitioner').map((reference) => ({ name: 'practitioner', valueReference: { reference } })),
            ...(a.appointmentType?.text || a.appointmentType?.coding?.[0] ? [{ name: 'type', valueString: a.appointmentType.text ?? a.appointmentType.coding![0]!.display ?? a.appointmentType.coding![0]!.code }] : []),
            { name: 'status', valueCode: STATUS_LABEL[status] ?? status },
            ...(arrivedAt ? [{ name: 'arrived', valueDateTime: arrivedAt }] : []),
            ...(waitMinutes !== undefined ? [{ name: 'wait-minutes', valueInteger: waitMinutes }] : []),
          ],
        };
      });
      return { status: 200, body: { resourceType: 'Parameters', parameter: [{ name: 'date', valueDate: dateText }, ...rows] } satisfies Parameters };
    },
  };

  return [checkIn, advance, dayView];
}

/** Which Coverage the desk checked at arrival, for the claim to start from. */
export const COVERAGE_CHECKED_URL = 'https://unichart.dev/fhir/StructureDefinition/coverage-checked';

/** The patient's primary coverage active on the date: status active and a period that includes it. */
async function activeCoverage(tx: RepositoryTransaction, patient: string, on: Date): Promise<Coverage | undefined> {
  const coverages = await searchAll<Coverage>(tx, 'Coverage', { beneficiary: patient, status: 'active', _count: '100' });
  const active = coverages.filter((c) => {
    const start = c.period?.start ? parseFhirDateRange(c.period.start)?.low : undefined;
    const end = c.period?.end ? parseFhirDateRange(c.period.end)?.high : undefined;
    return (!start || start <= on) && (!end || on < end);
  });
  return active.sort((a, b) => (a.order ?? 99) - (b.order ?? 99))[0];
}

function copayOf(coverage: Coverage): Money | undefined {
  const costs = coverage.costToBeneficiary ?? [];
  const copay = costs.find((c) => c.valueMoney && c.type?.coding?.some((code) => COPAY_TYPES.has(code.code ?? ''))) ?? costs.find((c) => c.valueMoney);
  return copay?.valueMoney;
}

async function encounterOf(tx: RepositoryTransaction, appointmentId: string): Promise<Encounter | undefined> {
  const result = await tx.search(parseSearchRequest('Encounter', new URLSearchParams({ appointment: `Appointment/${appointmentId}`, _count: '1' })));
  const match = result.matches[0];
  return match ? (JSON.parse(match.content) as Encounter) : undefined;
}

/** When the clinician started seeing the patient, if they have. */
function seenAt(encounter: Encounter): string | undefined {
  if (encounter.status === 'in-progress') return statusSince(encounter);
  return encounter.statusHistory?.find((h) => h.status === 'in-progress')?.period?.start;
}

function statusSince(encounter: Encounter): string {
  return encounter.statusHistory?.at(-1)?.period?.end ?? encounter.period?.start ?? encounter.meta?.lastUpdated ?? new Date().toISOString();
}


function moneyParam(parameters: readonly ParametersParameter[], name: string): Money | undefined {
  const money = parameters.find((p) => p.name === name)?.valueMoney;
  if (!money) return undefined;
  if (typeof money.value !== 'number' || money.value <= 0 || Math.round(money.value * 100) !== money.value * 100) throw badRequest(`${name} must be a positive amount in whole cents`, name);
  return { value: money.value, currency: money.currency ?? 'USD' };
}

function formatMoney(money: Money): string {
  return `${money.currency ?? 'USD'} ${money.value!.toFixed(2)}`;
}

function displayName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
  return name?.text ?? [...(name?.given ?? []), name?.family].filter(Boolean).join(' ');
}
