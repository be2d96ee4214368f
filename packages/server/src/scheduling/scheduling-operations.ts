import { addResourceRule, badRequest, FhirError, forbidden, parseFhirDateRange } from '@unichart/fhir';
import type { Appointment, AppointmentParticipant, Bundle, Parameters, ParametersParameter, Schedule } from '@medplum/fhirtypes';
import type { FhirOperation, RouteContext } from '../fhir/router.js';
import type { FhirAccess } from '../fhir/fhir-access.js';
import { appointmentTypeCode, appointmentTypeConcept, type AppointmentType } from './appointment-types.js';
import { parseScheduleTemplate, TemplateProblem } from './availability.js';
import { parametersOf, readReachable, textInput } from '../fhir/operation-inputs.js';
import { cancelAppointment } from './appointment-cancel.js';
import { participantsOf, ScheduleBook, type SchedulingCache } from './schedule-book.js';

export interface SchedulingOptions {
  /** Time zone of schedules that do not name their own. */
  readonly defaultTimeZone: string;
  /** The clock, so tests can book "tomorrow" deterministically. */
  readonly now?: () => Date;
  /** Shared templates and exceptions; each request reads them afresh without one. */
  readonly cache?: SchedulingCache;
}

type Context = RouteContext & { readonly access: FhirAccess };

const MAX_FIND_DAYS = 62;
const DEFAULT_FIND_DAYS = 14;
const DEFAULT_FIND_COUNT = 100;
const MAX_SERIES = 52;
/** Statuses an appointment can be booked from: a request, a proposal or a waitlist entry. */
const BOOKABLE_FROM = new Set(['proposed', 'pending', 'waitlist']);

/**
 * Appointment workflows as FHIR operations:
 * - `GET Appointment/$find?appointment-type=&start=&end=&practitioner=&location=&resource=&_count=`: open times as
 *   free Slots (with `resource`, rooms or equipment that must be free too).
 * - `POST Appointment/$book` (an Appointment, or Parameters with `appointment`, `count`, `every-weeks`):
 *   checks the schedule rules and books; a recurring series is booked all or nothing.
 * - `POST Appointment/{id}/$reschedule` (Parameters `start`, optional `practitioner`): same rules, same appointment.
 * - `POST Appointment/{id}/$cancel` (Parameters `reason`): frees the time and offers it to the waitlist.
 * Double booking is refused by the database whichever way an appointment is written.
 */
export function schedulingOperations(options: SchedulingOptions): FhirOperation[] {
  const now = options.now ?? (() => new Date());
  // A template that cannot be read is refused when it is saved, not when someone books.
  addResourceRule('Schedule', (schedule) => {
    try {
      parseScheduleTemplate(schedule as Schedule, options.defaultTimeZone);
    } catch (error) {
      if (error instanceof TemplateProblem) throw badRequest(error.message, error.path);
      throw error;
    }
  });
  const load = (ctx: Context): Promise<ScheduleBook> => ScheduleBook.load(ctx.tx, options.defaultTimeZone, options.cache);

  const find: FhirOperation = {
    resourceType: 'Appointment',
    name: 'find',
    level: 'type',
    methods: ['GET'],
    async invoke(ctx, req) {
      ctx.access.require('Schedule', 'search');
      const book = await load(ctx);
      const type = book.type(req.query.get('appointment-type') ?? undefined);
      const from = instantParam(req.query.get('start'), 'start', 'low') ?? now();
      const to = instantParam(req.query.get('end'), 'end', 'high') ?? new Date(from.getTime() + DEFAULT_FIND_DAYS * 86_400_000);
      if (to <= from) throw badRequest('end must be after start', 'end');
      if (to.getTime() - from.getTime() > MAX_FIND_DAYS * 86_400_000) throw badRequest(`Search at most ${MAX_FIND_DAYS} days at a time`, 'end');
      const practitioners = req.query.getAll('practitioner').flatMap((v) => v.split(',')).filter(Boolean).map((v) => (v.includes('/') ? v : `Practitioner/${v}`));
      const site = req.query.get('location') ?? undefined;
      // Rooms or equipment the visit also needs, each free at the same time.
      const resources = req.query.getAll('resource').flatMap((v) => v.split(',')).filter(Boolean);
      for (const resource of resources) {
        if (!/^(Location|Device)\/[A-Za-z0-9\-.]{1,64}$/.test(resource)) throw badRequest('resource must be a Location or Device reference, such as Location/room-1', 'resource');
      }
      const count = countParam(req.query.get('_count'));
      const earliest = new Date(Math.max(from.getTime(), now().getTime()));
      const schedules = book.practitionerSchedules(practitioners, site && (site.includes('/') ? site : `Location/${site}`));
      const slots = earliest < to ? await book.freeSlots(schedules, earliest, to, type, count, resources) : [];
      const used = new Set(slots.map((s) => s.schedule.reference));
      await ctx.auditRead?.(ctx.tx, { kind: 'search', query: `Appointment/$find?${req.query.toString()}`, touched: [] });
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: slots.length,
        link: [{ relation: 'self', url: ctx.selfUrl }],
        entry: [
          ...slots.map((slot) => ({ resource: slot, search: { mode: 'match' as const } })),
          ...schedules
            .filter((t) => used.has(`Schedule/${t.scheduleId}`))
            .map((t) => ({ fullUrl: `${ctx.baseUrl}/Schedule/${t.scheduleId}`, resource: { resourceType: 'Schedule' as const, id: t.scheduleId, actor: t.actors.map((reference) => ({ reference, display: t.actorNames.get(reference) })) }, search: { mode: 'include' as const } })),
        ],
      };
      return { status: 200, body: bundle };
    },
  };

  const bookOperation: FhirOperation = {
    resourceType: 'Appointment',
    name: 'book',
    level: 'type',
    methods: ['POST'],
    async invoke(ctx, req) {
      ctx.access.require('Appointment', 'create');
      const { appointment, count, everyWeeks } = bookingRequest(req.body);
      const book = await load(ctx);
      const type = book.type(appointmentTypeCode(appointment.appointmentType));
      const existing = appointment.id ? await currentAppointment(ctx, appointment.id) : undefined;
      if (existing && !BOOKABLE_FROM.has(existing.status)) throw new FhirError(409, 'conflict', `Appointment/${existing.id} is ${existing.status}; only a proposed, pending or waitlisted appointment can be booked`);
      const first = requireBookable(appointment, type, now());
      const booked: Appointment[] = [];
      for (let i = 0; i < count; i++) {
        const shift = i * everyWeeks * 7 * 86_400_000;
        const occurrence = timed(appointment, new Date(first.start.getTime() + shift), new Date(first.end.getTime() + shift), type);
        if (count > 1) occurrence.identifier = [...(occurrence.identifier ?? []), { system: SERIES_SYSTEM, value: `${i + 1}/${count}` }];
        if (i > 0) delete occurrence.id;
        const { site, resources } = placesOf(book, occurrence);
        await book.requireOpen(participantsOf(occurrence, 'Practitioner'), site, new Date(occurrence.start!), new Date(occurrence.end!), type, occurrence.id, resources);
        booked.push(await write(ctx, occurrence, i === 0 && existing ? 'update' : 'create'));
      }
      if (count === 1) return { status: 201, body: booked[0], location: `${ctx.baseUrl}/Appointment/${booked[0]!.id}`, versionId: booked[0]!.meta?.versionId };
      return { status: 201, body: { resourceType: 'Bundle', type: 'collection', total: booked.length, entry: booked.map((a) => ({ fullUrl: `${ctx.baseUrl}/Appointment/${a.id}`, resource: a })) } satisfies Bundle };
    },
  };

  const reschedule: FhirOperation = {
    resourceType: 'Appointment',
    name: 'reschedule',
    level: 'instance',
    methods: ['POST'],
    async invoke(ctx, req, id) {
      ctx.access.require('Appointment', 'update');
      const current = await currentAppointment(ctx, id!);
      if (current.status !== 'booked') throw new FhirError(409, 'conflict', `Appointment/${id} is ${current.status}; only a booked appointment can be moved`);
      const parameters = parametersOf(req.body);
      const start = instantParam(textInput(parameters, 'start'), 'start', 'low');
      if (!start) throw badRequest('start (the new start time) is required', 'start');
      const book = await load(ctx);
      const type = book.type(appointmentTypeCode(current.appointmentType));
      const practitioner = referenceParam(parameters, 'practitioner');
      const moved: Appointment = {
        ...current,
        participant: practitioner ? replacePractitioner(current.participant, practitioner) : current.participant,
      };
      const length = current.end && current.start ? new Date(current.end).getTime() - new Date(current.start).getTime() : type.minutes * 60_000;
      const appointment = timed(moved, start, new Date(start.getTime() + length), type);
      requireBookable(appointment, type, now());
      const { site, resources } = placesOf(book, appointment);
      await book.requireOpen(participantsOf(appointment, 'Practitioner'), site, start, new Date(appointment.end!), type, id, resources);
      const written = await write(ctx, appointment, 'update');
      return { status: 200, body: written, versionId: written.meta?.versionId };
    },
  };

  const cancel: FhirOperation = {
    resourceType: 'Appointment',
    name: 'cancel',
    level: 'instance',
    methods: ['POST'],
    async invoke(ctx, req, id) {
      ctx.access.require('Appointment', 'update');
      const current = await currentAppointment(ctx, id!);
      const reason = textInput(parametersOf(req.body), 'reason');
      if (!reason?.trim()) throw badRequest('A reason for the cancellation is required', 'reason');
      if (!ctx.access.canWrite(ctx.tx, current, 'update')) throw forbidden('You may not update this Appointment: it is outside your own record');
      const { cancelled, offer } = await cancelAppointment(ctx.tx, current, reason.trim(), now(), options.defaultTimeZone);
      const body: Parameters = {
        resourceType: 'Parameters',
        parameter: [{ name: 'appointment', resource: cancelled }, ...(offer ? [{ name: 'waitlist-offer', resource: offer }] : [])],
      };
      return { status: 200, body };
    },
  };

  return [find, bookOperation, reschedule, cancel];
}

export const SERIES_SYSTEM = 'https://unichart.dev/fhir/appointment-series';

function bookingRequest(body: unknown): { appointment: Appointment; count: number; everyWeeks: number } {
  const resource = body as { resourceType?: string } | undefined;
  if (resource?.resourceType === 'Appointment') return { appointment: resource as Appointment, count: 1, everyWeeks: 1 };
  if (resource?.resourceType !== 'Parameters') throw badRequest('Send an Appointment, or Parameters with an "appointment" resource');
  const parameters = (resource as Parameters).parameter ?? [];
  const appointment = parameters.find((p) => p.name === 'appointment')?.resource;
  if (appointment?.resourceType !== 'Appointment') throw badRequest('Parameters must carry the Appointment to book as "appointment"', 'appointment');
  const count = integerParam(parameters, 'count', 1, MAX_SERIES) ?? 1;
  const everyWeeks = integerParam(parameters, 'every-weeks', 1, 52) ?? 1;
  return { appointment, count, everyWeeks };
}

/** The rules every booking meets before the schedule is consulted; its start and end. */
function requireBookable(appointment: Appointment, type: AppointmentType, now: Date): { start: Date; end: Date } {
  const patients = participantsOf(appointment, 'Patient');
  if (patients.length !== 1) throw badRequest('An appointment is booked for exactly one patient (a participant whose actor is a Patient)', 'Appointment.participant');
  if (participantsOf(appointment, 'Practitioner').length === 0) throw badRequest('Name the practitioner: a participant whose actor is a Practitioner', 'Appointment.participant');
  const start = instantParam(appointment.start, 'Appointment.start', 'low');
  if (!start) throw badRequest('The appointment needs a start time', 'Appointment.start');
  if (start.getTime() < now.getTime()) throw badRequest(`${appointment.start} is in the past; choose a time from now on`, 'Appointment.start');
  const end = appointment.end ? instantParam(appointment.end, 'Appointment.end', 'low')! : new Date(start.getTime() + type.minutes * 60_000);
  if (end <= start) throw badRequest('The appointment must end after it starts', 'Appointment.end');
  return { start, end };
}

function timed(appointment: Appointment, start: Date, end: Date, type: AppointmentType): Appointment {
  return {
    ...appointment,
    resourceType: 'Appointment',
    status: 'booked',
    appointmentType: appointment.appointmentType ?? appointmentTypeConcept(type),
    start: start.toISOString(),
    end: end.toISOString(),
    minutesDuration: Math.round((end.getTime() - start.getTime()) / 60_000),
    participant: (appointment.participant ?? []).map((p) => ({ ...p, status: p.status ?? 'accepted' })),
  } as Appointment;
}

/**
 * Where the appointment is: the clinic site (a Location that practitioners' schedules name),
 * and the rooms or equipment booked with it (a Location or Device with hours of its own).
 */
function placesOf(book: ScheduleBook, appointment: Appointment): { site?: string; resources: string[] } {
  const places = [...participantsOf(appointment, 'Location'), ...participantsOf(appointment, 'Device')];
  const resources = places.filter((p) => book.resourceSchedulesOf(p).length > 0);
  return { site: places.find((p) => p.startsWith('Location/') && !resources.includes(p)), resources };
}

function replacePractitioner(participants: AppointmentParticipant[] | undefined, practitioner: string): AppointmentParticipant[] {
  const others = (participants ?? []).filter((p) => !p.actor?.reference?.startsWith('Practitioner/'));
  return [...others, { actor: { reference: practitioner }, status: 'accepted' }];
}

function currentAppointment(ctx: Context, id: string): Promise<Appointment> {
  return readReachable<Appointment>(ctx.tx, ctx.access, 'Appointment', id, 'update');
}

async function write(ctx: Context, appointment: Appointment, interaction: 'create' | 'update'): Promise<Appointment> {
  if (!ctx.access.canWrite(ctx.tx, appointment, interaction)) throw forbidden(`You may not ${interaction} this Appointment: it is outside your own record`);
  const result = interaction === 'create' ? await ctx.tx.create(appointment) : await ctx.tx.update(appointment);
  return result.resource as Appointment;
}

function referenceParam(parameters: readonly ParametersParameter[], name: string): string | undefined {
  const p = parameters.find((x) => x.name === name);
  const reference = p?.valueReference?.reference ?? p?.valueString;
  if (reference !== undefined && !/^Practitioner\/[A-Za-z0-9\-.]{1,64}$/.test(reference)) throw badRequest(`${name} must be a Practitioner reference`, name);
  return reference;
}

function integerParam(parameters: readonly ParametersParameter[], name: string, min: number, max: number): number | undefined {
  const p = parameters.find((x) => x.name === name);
  if (!p) return undefined;
  const value = p.valueInteger ?? p.valuePositiveInt;
  if (value === undefined || !Number.isInteger(value) || value < min || value > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}`, name);
  return value;
}

function instantParam(value: string | null | undefined, name: string, bound: 'low' | 'high'): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const range = parseFhirDateRange(value);
  if (!range) throw badRequest(`${name} must be a real date or date-time, got "${value}"`, name);
  return range[bound];
}

function countParam(value: string | null): number {
  if (value === null) return DEFAULT_FIND_COUNT;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw badRequest('_count must be a whole number from 1 to 1000', '_count');
  return count;
}
