import type { Bundle, HumanName, Location, Organization, Practitioner } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../session/session-context.js';
import { entriesOf } from './fhir-resources.js';
import { PAYER_ID_SYSTEM } from './insurance/coverage-draft.js';

/** "Dr Ana Alvarez" style: given then family, as the desk says it. */
export function personName(name: readonly HumanName[] | undefined): string {
  const first = name?.find((n) => n.use === 'usual') ?? name?.[0];
  if (!first) return 'Unnamed';
  return first.text ?? [first.prefix?.join(' '), first.given?.join(' '), first.family].filter(Boolean).join(' ');
}

/** Rooms and bays are schedulable too (HL7 location-physical-type ro, bd). */
export function isRoom(location: Location): boolean {
  return Boolean(location.physicalType?.coding?.some((c) => c.code === 'ro' || c.code === 'bd'));
}

/** The practice's directory the desk picks from: practitioners, sites and rooms, payers. */
export function usePractitioners() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['Practitioner', 'directory'],
    queryFn: async () => entriesOf<Practitioner>(await api.get<Bundle>('/fhir/R4/Practitioner?_count=200&_sort=family'), 'Practitioner'),
    staleTime: 5 * 60_000,
  });
}

export function useLocations() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['Location', 'directory'],
    queryFn: async () => entriesOf<Location>(await api.get<Bundle>('/fhir/R4/Location?_count=200'), 'Location'),
    staleTime: 5 * 60_000,
  });
}

export function usePayers() {
  const { api } = useSession();
  return useQuery({
    queryKey: ['Organization', 'payers'],
    queryFn: async () => entriesOf<Organization>(await api.get<Bundle>(`/fhir/R4/Organization?identifier=${encodeURIComponent(`${PAYER_ID_SYSTEM}|`)}&_count=200`), 'Organization'),
    staleTime: 5 * 60_000,
  });
}

export function payerIdOf(organization: Organization): string | undefined {
  return organization.identifier?.find((i) => i.system === PAYER_ID_SYSTEM)?.value;
}
