import type { Observation, ObservationReferenceRange } from '@medplum/fhirtypes';
import { conceptText } from './clinical-text.js';

/** One measured value of a test, with the range it was judged against. */
export interface ResultPoint {
  readonly id: string;
  /** Epoch milliseconds of effective time (for the plot's axis). */
  readonly time: number;
  readonly when: string;
  readonly value: number | undefined;
  /** What to show when the value is not a number ("Negative"). */
  readonly text: string;
  readonly unit: string;
  readonly low?: number;
  readonly high?: number;
  readonly flag: 'low' | 'high' | 'normal' | undefined;
}

/** Every result of one test (one code), oldest first, as a trend plot reads it. */
export interface ResultSeries {
  readonly key: string;
  readonly name: string;
  readonly unit: string;
  readonly points: readonly ResultPoint[];
  readonly latest: ResultPoint;
  /** The latest stated range, for the plot's shaded band. */
  readonly low?: number;
  readonly high?: number;
}

const NOT_SHOWN = new Set(['entered-in-error', 'cancelled', 'registered']);

/**
 * Groups results into one series per test. A test is its first LOINC (or other) coding, else its
 * text, so "HbA1c" from two labs with the same LOINC code lands on one plot. Newest series first.
 */
export function resultSeries(observations: readonly Observation[]): ResultSeries[] {
  const groups = new Map<string, { name: string; points: ResultPoint[] }>();
  for (const observation of observations) {
    if (NOT_SHOWN.has(observation.status)) continue;
    const when = observation.effectiveDateTime ?? observation.effectivePeriod?.start ?? observation.effectiveInstant ?? observation.issued;
    if (!when) continue;
    const coding = observation.code.coding?.find((c) => c.code);
    const key = coding ? `${coding.system ?? ''}|${coding.code}` : `text|${conceptText(observation.code).toLowerCase()}`;
    const group = groups.get(key) ?? { name: conceptText(observation.code), points: [] };
    group.points.push(pointOf(observation, when));
    groups.set(key, group);
  }
  return [...groups]
    .map(([key, group]) => {
      const points = group.points.sort((a, b) => a.time - b.time);
      const latest = points[points.length - 1]!;
      const ranged = [...points].reverse().find((p) => p.low !== undefined || p.high !== undefined);
      return { key, name: group.name, unit: latest.unit, points, latest, low: ranged?.low, high: ranged?.high };
    })
    .sort((a, b) => b.latest.time - a.latest.time || a.name.localeCompare(b.name));
}

function pointOf(observation: Observation, when: string): ResultPoint {
  const quantity = observation.valueQuantity;
  const range = normalRange(observation.referenceRange);
  const value = quantity?.value;
  const text =
    value !== undefined
      ? String(value)
      : (observation.valueString ?? observation.valueCodeableConcept?.text ?? observation.valueCodeableConcept?.coding?.[0]?.display ?? (observation.valueBoolean !== undefined ? (observation.valueBoolean ? 'Yes' : 'No') : ''));
  return {
    id: observation.id ?? '',
    time: new Date(when).getTime(),
    when,
    value,
    text,
    unit: quantity?.unit ?? quantity?.code ?? '',
    low: range?.low?.value,
    high: range?.high?.value,
    flag: flagOf(value, range?.low?.value, range?.high?.value, observation),
  };
}

/** The range meant for this patient in general: one without an `appliesTo` population, else the first. */
function normalRange(ranges: readonly ObservationReferenceRange[] | undefined): ObservationReferenceRange | undefined {
  return ranges?.find((r) => !r.appliesTo?.length && (r.low || r.high)) ?? ranges?.[0];
}

/** The lab's own interpretation wins (it knows the method); else the value against the range. */
function flagOf(value: number | undefined, low: number | undefined, high: number | undefined, observation: Observation): ResultPoint['flag'] {
  const code = observation.interpretation?.[0]?.coding?.[0]?.code;
  if (code && ['L', 'LL', 'LU'].includes(code)) return 'low';
  if (code && ['H', 'HH', 'HU'].includes(code)) return 'high';
  if (code === 'N') return 'normal';
  if (value === undefined || (low === undefined && high === undefined)) return undefined;
  if (low !== undefined && value < low) return 'low';
  if (high !== undefined && value > high) return 'high';
  return 'normal';
}

/** "4.0–5.6 %", "< 200 mg/dL", or empty. */
export function rangeText(low: number | undefined, high: number | undefined, unit: string): string {
  const suffix = unit ? ` ${unit}` : '';
  if (low !== undefined && high !== undefined) return `${low}–${high}${suffix}`;
  if (high !== undefined) return `≤ ${high}${suffix}`;
  if (low !== undefined) return `≥ ${low}${suffix}`;
  return '';
}
