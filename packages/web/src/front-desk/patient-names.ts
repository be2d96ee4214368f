import type { Bundle, Patient } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useSession } from '../session/session-context.js';
import { entriesOf, idOf } from './fhir-resources.js';
import { personName } from './directory.js';

/** Display names of the patients referred to (`Patient/1` → "Lan Nguyen"), fetched in one search. */
export function usePatientNames(references: readonly string[]) {
  const { api } = useSession();
  const ids = [...new Set(references.map(idOf).filter(Boolean))].sort();
  return useQuery({
    queryKey: ['Patient', 'names', ids],
    enabled: ids.length > 0,
    queryFn: async () => {
      const patients = entriesOf<Patient>(await api.get<Bundle>(`/fhir/R4/Patient?_id=${ids.map(encodeURIComponent).join(',')}&_count=${ids.length}`), 'Patient');
      return new Map(patients.map((p) => [`Patient/${p.id}`, personName(p.name)]));
    },
  });
}
