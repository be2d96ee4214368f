import type { Bundle as FhirBundle, Resource } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useMe, useSession } from '../session/session-context.js';

/** The signed-in patient's own Patient id (their account's fhirUser). */
export function useOwnPatientId(): string {
  const me = useMe();
  const [type, id] = me.fhirUser?.split('/') ?? [];
  return type === 'Patient' && id ? id : '';
}

export function entriesOf<T extends Resource>(bundle: FhirBundle | undefined, type: T['resourceType']): T[] {
  return (bundle?.entry ?? []).flatMap((entry) => (entry.resource?.resourceType === type && entry.search?.mode !== 'include' ? [entry.resource as T] : []));
}

/** Resources found by an `_include`, by `Type/id`. */
export function includedOf(bundle: FhirBundle | undefined): Map<string, Resource> {
  return new Map((bundle?.entry ?? []).flatMap((entry) => (entry.resource && entry.search?.mode === 'include' ? [[`${entry.resource.resourceType}/${entry.resource.id}`, entry.resource] as const] : [])));
}

/** One FHIR search, cached under its path (a write invalidates by the resource type, the key's first part). */
export function useSearch<T extends Resource>(type: T['resourceType'], query: string, enabled = true) {
  const { api } = useSession();
  return useQuery({
    queryKey: [type, query],
    queryFn: () => api.get<FhirBundle>(`/fhir/R4/${type}?${query}`),
    select: (bundle) => ({ bundle, resources: entriesOf<T>(bundle, type) }),
    enabled,
  });
}
