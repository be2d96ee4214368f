import { badRequest, FhirError, parseSearchRequest } from '@unichart/fhir';
import type { Appointment, CodeSystem, Schedule, Slot } from '@medplum/fhirtypes';
import type { RepositoryTransaction } from '../fhir/repository.js';
import { appointmentTypesOf, APPOINTMENT_TYPE_SYSTEM, type AppointmentType } from './appointment-types.js';
import { cutSlots, intersect, localSpan, parseScheduleTemplate, subtract, templateIntervals, TemplateProblem, within, type Interval, type ScheduleTemplate } from './availability.js';

/**
 * The practice's scheduling facts as one unit of work sees them: appointment types, the
 * schedules (weekly templates) of practitioners, rooms and sites, their exceptions (leave,
 * holidays: `busy-unavailable` Slots), and the time already booked. Open times and booking
 * rules are both answered from here, so what $find offers is what $book accepts.
 */
export class ScheduleBook {
  private constructor(
    private readonly tx: RepositoryTransaction,
    readonly types: Map<string, AppointmentType>,
    readonly templates: ScheduleTemplate[],
    /** busy-unavailable Slots (leave, holidays) by schedule id. */
    private readonly closed: Map<string, Interval[]>,
  ) {}

  static async load(tx: RepositoryTransaction, defaultTimeZone: string, cache?: SchedulingCache): Promise<ScheduleBook> {
    const facts = cache ? await cache.get(tx.tenantId, () => loadFacts(tx, defaultTimeZone)) : await loadFacts(tx, defaultTimeZone);
    return new ScheduleBook(tx, facts.types, facts.templates, facts.closed);
  }

  type(code: string | undefined): AppointmentType {
    const type = code ? this.types.get(code) : undefined;
    if (!type) throw badRequest(`Unknown appointment type ${code ?? '(none)'}; the practice's types are ${[...this.types.keys()].join(', ')} (system ${APPOINTMENT_TYPE_SYSTEM})`, 'appointmentType');
    return type;
  }

  /** Schedules of a practitioner (at a site, if given): the ones a booking for them must fit. */
  schedulesOf(practitioner: string, site?: string): ScheduleTemplate[] {
    return this.templates.filter((t) => t.actors.includes(practitioner) && (!site || t.actors.includes(site)));
  }

  /** Every practitioner schedule, optionally only those of some practitioners or one site. */
  practitionerSchedules(practitioners: readonly string[], site?: string): ScheduleTemplate[] {
    return this.templates.filter(
      (t) => t.actors.some((a) => (practitioners.length ? practitioners.includes(a) : a.startsWith('Practitioner/'))) && (!site || t.actors.includes(site)),
    );
  }

  /**
   * The open intervals of a schedule for a type within [from, to): its template, less its own
   * exceptions and those of the sites and rooms it names, less the time its actors are booked.
   */
  async openIntervals(templates: readonly ScheduleTemplate[], from: Date, to: Date, type: AppointmentType, moving?: string, resources: readonly string[] = []): Promise<Map<ScheduleTemplate, Interval[]>> {
    const resourceTemplates = resources.map((r) => this.resourceSchedulesOf(r)).filter((t) => t.length > 0);
    const actors = [...new Set([...templates, ...resourceTemplates.flat()].flatMap((t) => t.actors))];
    const exceptions = this.exceptions(from, to);
    const booked = await this.tx.bookedTimes(actors, from, to);
    const openOf = (template: ScheduleTemplate): Interval[] => {
      const closed = [...this.closures(template, exceptions), ...booked.filter((b) => template.actors.includes(b.actor) && b.appointmentId !== moving)];
      return subtract(templateIntervals(template, from, to, type.code), closed);
    };
    // A room or device with a schedule of its own must be free too: any of its schedules will do.
    const resourceOpen = resourceTemplates.map((schedules) => schedules.flatMap(openOf));
    const open = new Map<ScheduleTemplate, Interval[]>();
    for (const template of templates) open.set(template, resourceOpen.reduce(intersect, openOf(template)));
    return open;
  }

  /** The schedules of a room or piece of equipment booked alongside a practitioner (its only actor, with hours). */
  resourceSchedulesOf(actor: string): ScheduleTemplate[] {
    return this.templates.filter((t) => t.actors.length === 1 && t.actors[0] === actor && t.blocks.length > 0);
  }

  /**
   * Free slots of the type, earliest first (then by schedule), at most `limit`. The window grows
   * from one day until enough are found, so the usual question (the next openings) reads one
   * day of bookings rather than the whole range. Each window is computed with a day of margin
   * before it, so that slots keep the same alignment whichever window finds them, and one
   * slot's length after it.
   */
  async freeSlots(templates: readonly ScheduleTemplate[], from: Date, to: Date, type: AppointmentType, limit: number, resources: readonly string[] = []): Promise<Slot[]> {
    const candidates: { scheduleId: string; start: number; end: number }[] = [];
    let windowStart = from.getTime();
    for (let span = DAY_MS; windowStart < to.getTime() && candidates.length < limit; span *= 3) {
      const windowEnd = Math.min(to.getTime(), windowStart + span);
      const lower = new Date(Math.max(from.getTime(), windowStart - DAY_MS));
      // Past the window's end only a slot that starts inside it can reach.
      const upper = new Date(Math.min(to.getTime(), windowEnd + type.minutes * 60_000));
      for (const [template, intervals] of await this.openIntervals(templates, lower, upper, type, undefined, resources)) {
        for (const slot of cutSlots(intervals, type.minutes)) {
          const start = slot.start.getTime();
          if (start >= windowStart && start < windowEnd) candidates.push({ scheduleId: template.scheduleId, start, end: slot.end.getTime() });
        }
      }
      windowStart = windowEnd;
    }
    candidates.sort((a, b) => a.start - b.start || (a.scheduleId < b.scheduleId ? -1 : a.scheduleId > b.scheduleId ? 1 : 0));
    return candidates.slice(0, limit).map((slot) => ({
      resourceType: 'Slot',
      id: `${slot.scheduleId}-${slot.start}`,
      schedule: { reference: `Schedule/${slot.scheduleId}` },
      status: 'free',
      start: new Date(slot.start).toISOString(),
      end: new Date(slot.end).toISOString(),
      appointmentType: { coding: [{ system: APPOINTMENT_TYPE_SYSTEM, code: type.code, display: type.display }] },
    }));
  }

  /**
   * Refuses a booking that does not fit: each practitioner must have a schedule whose open
   * time (template, exceptions; not other bookings, which the database itself refuses) covers
   * the whole appointment for its type. `moving` names an appointment being rescheduled,
   * whose own current time does not count against it.
   */
  async requireOpen(practitioners: readonly string[], site: string | undefined, start: Date, end: Date, type: AppointmentType, moving?: string, resources: readonly string[] = []): Promise<void> {
    // A room's other bookings are the database's to refuse (409); its hours are checked here.
    for (const resource of resources) {
      const schedules = this.resourceSchedulesOf(resource);
      if (schedules.length > 0 && (await this.withoutBookings(schedules, start, end, type))) {
        throw new FhirError(422, 'business-rule', `${nameIn(schedules, resource)} is not open ${localSpan(start, end, schedules[0]!.timeZone)}`);
      }
    }
    for (const practitioner of practitioners) {
      const schedules = this.schedulesOf(practitioner, site);
      if (schedules.length === 0) throw new FhirError(422, 'business-rule', `${practitioner} has no active schedule${site ? ` at ${site}` : ''}`);
      const open = await this.openIntervals(schedules, start, end, type, moving);
      const fits = [...open.values()].some((intervals) => within(intervals, start, end));
      if (!fits) {
        const closed = await this.withoutBookings(schedules, start, end, type);
        const who = nameIn(schedules, practitioner);
        const when = localSpan(start, end, schedules[0]!.timeZone);
        throw closed
          ? new FhirError(422, 'business-rule', `${who} does not take ${type.display} appointments ${when}: the time is outside their open hours for that type`)
          : new FhirError(409, 'conflict', `${who} is already booked ${when}; choose another time`);
      }
    }
  }

  /** True when the time is closed even before bookings are counted. */
  private async withoutBookings(schedules: readonly ScheduleTemplate[], start: Date, end: Date, type: AppointmentType): Promise<boolean> {
    const exceptions = this.exceptions(start, end);
    return !schedules.some((t) => within(subtract(templateIntervals(t, start, end, type.code), this.closures(t, exceptions)), start, end));
  }

  /** A schedule's own exceptions, and those of the site's or room's schedule (holidays, closures for everyone there). */
  private closures(template: ScheduleTemplate, exceptions: Map<string, Interval[]>): Interval[] {
    const places = this.templates.filter((t) => t !== template && isPlaceSchedule(t) && t.actors.some((a) => template.actors.includes(a)));
    return [template, ...places].flatMap((t) => exceptions.get(t.scheduleId) ?? []);
  }

  /** busy-unavailable Slots overlapping [from, to), by schedule id. */
  private exceptions(from: Date, to: Date): Map<string, Interval[]> {
    const overlapping = new Map<string, Interval[]>();
    for (const [id, intervals] of this.closed) overlapping.set(id, intervals.filter((i) => i.end > from && i.start < to));
    return overlapping;
  }
}

/**
 * What rarely changes, read once and shared by requests for a few seconds: appointment types,
 * templates and exceptions. A write of a Schedule, Slot or the type CodeSystem in this process
 * drops the entry at once; another server copy's write is seen within the time to live.
 */
export class SchedulingCache {
  private readonly entries = new Map<string, { loadedAt: number; facts: Promise<SchedulingFacts> }>();

  constructor(private readonly ttlMs = 5_000) {}

  get(tenantId: string, load: () => Promise<SchedulingFacts>): Promise<SchedulingFacts> {
    const entry = this.entries.get(tenantId);
    if (entry && Date.now() - entry.loadedAt < this.ttlMs) return entry.facts;
    const facts = load();
    this.entries.set(tenantId, { loadedAt: Date.now(), facts });
    facts.catch(() => this.entries.delete(tenantId));
    return facts;
  }

  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}

export const SCHEDULING_FACT_TYPES = new Set(['Schedule', 'Slot', 'CodeSystem']);

interface SchedulingFacts {
  readonly types: Map<string, AppointmentType>;
  readonly templates: ScheduleTemplate[];
  readonly closed: Map<string, Interval[]>;
}

async function loadFacts(tx: RepositoryTransaction, defaultTimeZone: string): Promise<SchedulingFacts> {
  const [codeSystem] = await searchAll<CodeSystem>(tx, 'CodeSystem', { url: APPOINTMENT_TYPE_SYSTEM, _count: '1' });
  const schedules = await searchAll<Schedule>(tx, 'Schedule', { active: 'true', _count: String(MAX_SCHEDULES) });
  const templates = schedules.map((schedule) => {
    try {
      return parseScheduleTemplate(schedule, defaultTimeZone);
    } catch (error) {
      if (error instanceof TemplateProblem) throw new FhirError(422, 'business-rule', `Schedule/${schedule.id} cannot be used: ${error.message}`, error.path);
      throw error;
    }
  });
  const lookBack = new Date(Date.now() - MAX_EXCEPTION_DAYS * DAY_MS);
  const slots = await searchAll<Slot>(tx, 'Slot', { status: 'busy-unavailable', start: `ge${lookBack.toISOString()}`, _count: String(MAX_PAGE) });
  const closed = new Map<string, Interval[]>();
  for (const slot of slots) {
    const id = slot.schedule.reference?.split('/')[1] ?? '';
    closed.set(id, [...(closed.get(id) ?? []), { start: new Date(slot.start!), end: new Date(slot.end!) }]);
  }
  return { types: appointmentTypesOf(codeSystem), templates, closed };
}

const DAY_MS = 86_400_000;

/** A leave or holiday is found by its start; longer ones are entered as several. */
export const MAX_EXCEPTION_DAYS = 92;
const MAX_SCHEDULES = 1000;
const MAX_PAGE = 1000;

function isPlaceSchedule(template: ScheduleTemplate): boolean {
  return template.actors.every((a) => a.startsWith('Location/'));
}

/** One page of up to 1000 matches, parsed. */
export async function searchAll<T>(transaction: RepositoryTransaction, resourceType: string, query: Record<string, string | string[]>): Promise<T[]> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  const result = await transaction.search(parseSearchRequest(resourceType, params));
  return result.matches.map((m) => JSON.parse(m.content) as T);
}

export function participantsOf(appointment: Appointment, type: string): string[] {
  return (appointment.participant ?? []).map((p) => p.actor?.reference ?? '').filter((ref) => ref.startsWith(`${type}/`));
}

/** The actor's name as a schedule gives it, else its reference. */
function nameIn(schedules: readonly ScheduleTemplate[], actor: string): string {
  for (const schedule of schedules) {
    const name = schedule.actorNames.get(actor);
    if (name) return name;
  }
  return actor;
}
