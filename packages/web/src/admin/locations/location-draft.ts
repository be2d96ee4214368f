import type { Location } from '@medplum/fhirtypes';
import { isRoom } from '../../front-desk/directory.js';

/**
 * A site, or a room or bed inside one, as the administrator edits it. Rooms and beds
 * (location-physical-type ro, bd) are booked as resources: the database refuses two
 * appointments in the same one at once (migration 006).
 */
export const PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';

export type LocationKind = 'site' | 'ro' | 'bd';
export const KIND_NAMES: Record<LocationKind, string> = { site: 'Site (building)', ro: 'Room', bd: 'Bed or bay' };
const PHYSICAL_DISPLAY: Record<string, string> = { bu: 'Building', ro: 'Room', bd: 'Bed' };

export interface LocationDraft {
  name: string;
  kind: LocationKind;
  /** The site a room or bed belongs to, as its id. */
  siteId: string;
  active: boolean;
  phone: string;
  line: string;
  city: string;
  state: string;
  postalCode: string;
}

export function kindOf(location: Location): LocationKind {
  if (!isRoom(location)) return 'site';
  return location.physicalType?.coding?.some((c) => c.code === 'bd') ? 'bd' : 'ro';
}

export function draftOf(location: Location | undefined, siteId = ''): LocationDraft {
  const address = location?.address;
  return {
    name: location?.name ?? '',
    kind: location ? kindOf(location) : siteId ? 'ro' : 'site',
    siteId: location?.partOf?.reference?.split('/')[1] ?? siteId,
    active: (location?.status ?? 'active') === 'active',
    phone: location?.telecom?.find((t) => t.system === 'phone')?.value ?? '',
    line: address?.line?.join(', ') ?? '',
    city: address?.city ?? '',
    state: address?.state ?? '',
    postalCode: address?.postalCode ?? '',
  };
}

export type LocationProblems = Partial<Record<keyof LocationDraft, string>>;

export function locationProblems(draft: LocationDraft): LocationProblems {
  const problems: LocationProblems = {};
  if (!draft.name.trim()) problems.name = 'Enter a name';
  if (draft.kind !== 'site' && !draft.siteId) problems.siteId = 'Choose the site the room or bed is in';
  if (draft.phone.trim() && !/^[+()\d][\d\s().-]{5,}$/.test(draft.phone.trim())) problems.phone = 'Enter a phone number such as (413) 555-0100';
  return problems;
}

/**
 * The Location to save: the draft's fields over the one being edited, so that what the form
 * does not show (identifiers, managing organisation, other telecoms) is kept.
 */
export function locationOf(draft: LocationDraft, base: Location | undefined, site: Location | undefined): Location {
  const { partOf: _partOf, address: _address, ...kept } = base ?? { resourceType: 'Location' as const, mode: 'instance' as const };
  const otherTelecom = (base?.telecom ?? []).filter((t) => t.system !== 'phone');
  const line = draft.line.split(',').map((l) => l.trim()).filter(Boolean);
  const address = { ...base?.address, line, city: draft.city.trim(), state: draft.state.trim(), postalCode: draft.postalCode.trim() };
  const hasAddress = line.length > 0 || address.city || address.state || address.postalCode;
  const keepsType = base && kindOf(base) === draft.kind;
  const physicalCode = draft.kind === 'site' ? 'bu' : draft.kind;
  const telecom = [...(draft.phone.trim() ? [{ system: 'phone' as const, value: draft.phone.trim(), use: 'work' as const }] : []), ...otherTelecom];
  return {
    ...kept,
    resourceType: 'Location',
    name: draft.name.trim(),
    status: draft.active ? 'active' : 'inactive',
    physicalType: keepsType && base.physicalType ? base.physicalType : { coding: [{ system: PHYSICAL_TYPE, code: physicalCode, display: PHYSICAL_DISPLAY[physicalCode] }] },
    telecom: telecom.length ? telecom : undefined,
    ...(draft.kind !== 'site' && site ? { partOf: { reference: `Location/${site.id}`, display: site.name } } : {}),
    ...(hasAddress ? { address: dropEmpty(address) } : {}),
  };
}

function dropEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== '' && v !== undefined))) as T;
}

/** Sites with their rooms and beds, in name order; rooms whose site is gone are listed as their own group. */
export function sitesWithRooms(locations: readonly Location[]): { site: Location | undefined; rooms: Location[] }[] {
  const byName = (a: Location, b: Location) => (a.name ?? '').localeCompare(b.name ?? '');
  const sites = locations.filter((l) => kindOf(l) === 'site').sort(byName);
  const siteIds = new Set(sites.map((s) => s.id));
  const roomsOf = (id: string | undefined) => locations.filter((l) => kindOf(l) !== 'site' && l.partOf?.reference === `Location/${id}`).sort(byName);
  const orphans = locations.filter((l) => kindOf(l) !== 'site' && !siteIds.has(l.partOf?.reference?.split('/')[1])).sort(byName);
  return [...sites.map((site) => ({ site, rooms: roomsOf(site.id) })), ...(orphans.length ? [{ site: undefined, rooms: orphans }] : [])];
}
