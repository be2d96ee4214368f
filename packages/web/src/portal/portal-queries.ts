import type { Bundle as FhirBundle, Resource } from '@medplum/fhirtypes';
import { usePrefetchQuery, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import { useMe, useSession } from '../session/session-context.js';

/**
 * The Patient whose record the portal shows: the account's own (fhirUser Patient/…), or for a
 * guardian's account (fhirUser RelatedPerson/…) the dependant, the one Patient the server lets
 * it reach. Empty when there is none (the pages say so).
 */
export function useOwnPatientId(): string {
  const me = useMe();
  const { api } = useSession();
  const [type, id] = me.fhirUser?.split('/') ?? [];
  const own = type === 'Patient' && id ? id : undefined;
  const found = useSuspenseQuery({
    queryKey: ['portal-patient', me.fhirUser ?? ''],
    queryFn: async () => {
      if (own || type !== 'RelatedPerson') return own ?? '';
      const bundle = await api.get<FhirBundle>('/fhir/R4/Patient?_count=1&_elements=id').catch(() => undefined);
      return bundle?.entry?.[0]?.resource?.id ?? '';
    },
    // The account's own record is known without asking, so the page does not wait for it.
    initialData: own,
    staleTime: Infinity,
  });
  return found.data;
}

export function entriesOf<T extends Resource>(bundle: FhirBundle | undefined, type: T['resourceType']): T[] {
  return (bundle?.entry ?? []).flatMap((entry) => (entry.resource?.resourceType === type && entry.search?.mode !== 'include' ? [entry.resource as T] : []));
}

/** Resources found by an `_include`, by `Type/id`. */
export function includedOf(bundle: FhirBundle | undefined): Map<string, Resource> {
  return new Map((bundle?.entry ?? []).flatMap((entry) => (entry.resource && entry.search?.mode === 'include' ? [[`${entry.resource.resourceType}/${entry.resource.id}`, entry.resource] as const] : [])));
}

/**
 * One FHIR search, cached under its path (a write invalidates by the resource type, the key's
 * first part). The request starts while the page renders, not in an effect after it commits:
 * React holds back revealing a lazily loaded page for a moment, and the data should not wait too.
 */
export function useSearch<T extends Resource>(type: T['resourceType'], query: string) {
  const { api } = useSession();
  const options = { queryKey: [type, query], queryFn: () => api.get<FhirBundle>(`/fhir/R4/${type}?${query}`) };
  usePrefetchQuery(options);
  return useQuery({ ...options, select: (bundle) => ({ bundle, resources: entriesOf<T>(bundle, type) }) });
}

/** A single resource by id, fetched from render like useSearch. */
export function useResource<T extends Resource>(type: T['resourceType'], id: string) {
  const { api } = useSession();
  const options = { queryKey: [type, id], queryFn: () => api.get<T>(`/fhir/R4/${type}/${encodeURIComponent(id)}`) };
  usePrefetchQuery(options);
  return useQuery(options);
}
