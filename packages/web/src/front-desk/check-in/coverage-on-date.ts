import type { Coverage, Money } from '@medplum/fhirtypes';

export interface CoverageStatus {
  /** The coverage that pays first on the date, if any is active then. */
  readonly active?: Coverage;
  /** Coverages on file that do not cover the date, with why. */
  readonly inactive: readonly { readonly coverage: Coverage; readonly reason: string }[];
  readonly copayDue?: Money;
}

const COPAY_TYPES = new Set(['copay', 'gpvisit', 'spvisit']);

/**
 * The same rule the server's check-in applies (scheduling/visit-operations.ts): status active and
 * a period that includes the visit day; the lowest order pays first; its copay is what is due.
 * Shown before check-in so the clerk can ask for the card or the copay while the patient is there.
 */
export function coverageOnDate(coverages: readonly Coverage[], day: string): CoverageStatus {
  const inactive: { coverage: Coverage; reason: string }[] = [];
  const active: Coverage[] = [];
  for (const coverage of coverages) {
    const start = coverage.period?.start?.slice(0, 10);
    const end = coverage.period?.end?.slice(0, 10);
    if (coverage.status !== 'active') inactive.push({ coverage, reason: `its status is ${coverage.status}` });
    else if (start && day < start) inactive.push({ coverage, reason: `it starts on ${start}` });
    else if (end && day > end) inactive.push({ coverage, reason: `it ended on ${end}` });
    else active.push(coverage);
  }
  const first = active.sort((a, b) => (a.order ?? 99) - (b.order ?? 99))[0];
  const costs = first?.costToBeneficiary ?? [];
  const copay = costs.find((c) => c.valueMoney && c.type?.coding?.some((code) => COPAY_TYPES.has(code.code ?? ''))) ?? costs.find((c) => c.valueMoney);
  return { active: first, inactive, copayDue: copay?.valueMoney };
}
