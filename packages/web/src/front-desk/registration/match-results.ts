import type { Bundle, Patient } from '@medplum/fhirtypes';

export interface LikelyDuplicate {
  readonly patient: Patient;
  /** certain, probable or possible (HL7 match-grade). */
  readonly grade: string;
  readonly score: number;
  readonly reasons: readonly string[];
}

const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const MATCH_REASON_URL = 'https://unichart.dev/fhir/StructureDefinition/match-reason';
export const GRADE_LABELS: Record<string, string> = { certain: 'Certain match', probable: 'Probable match', possible: 'Possible match' };

/** The candidates of a `Patient/$match` answer, best first, with the grade and the reasons in words. */
export function likelyDuplicates(bundle: Bundle): LikelyDuplicate[] {
  return (bundle.entry ?? []).flatMap((entry) => {
    if (entry.resource?.resourceType !== 'Patient') return [];
    const extensions = entry.search?.extension ?? [];
    return [
      {
        patient: entry.resource,
        grade: extensions.find((e) => e.url === MATCH_GRADE_URL)?.valueCode ?? 'possible',
        score: entry.search?.score ?? 0,
        reasons: extensions.filter((e) => e.url === MATCH_REASON_URL).flatMap((e) => (e.valueString ? [e.valueString] : [])),
      },
    ];
  });
}
