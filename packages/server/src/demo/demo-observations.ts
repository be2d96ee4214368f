import type { CodeableConcept, DiagnosticReport, Encounter, Observation, ObservationReferenceRange, Patient, Practitioner, Quantity, Reference } from '@medplum/fhirtypes';
import { LOINC, UCUM, type CodedItem, type ResultKind } from './clinical-catalog.js';
import { referenceTo, type DemoRecord, type WithId } from './demo-record.js';

/** Where a result belongs: whose, which visit, when, and who signed it off. */
export interface ResultContext {
  readonly subject: Reference<Patient>;
  readonly encounter: Reference<Encounter>;
  readonly performer: Reference<Practitioner>;
  readonly effective: string;
}

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const INTERPRETATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const CATEGORY_DISPLAY = { 'vital-signs': 'Vital signs', laboratory: 'Laboratory' } as const;

export function concept(system: string, item: CodedItem): CodeableConcept {
  return { coding: [{ system, code: item.code, display: item.display }], text: item.display };
}

function quantity(kind: ResultKind, value: number): Quantity {
  return { value: round(value, kind.decimals), unit: kind.unit, system: UCUM, code: kind.unit };
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function referenceRange(kind: ResultKind): ObservationReferenceRange[] | undefined {
  if (kind.low === undefined && kind.high === undefined) return undefined;
  return [{ ...(kind.low !== undefined ? { low: quantity(kind, kind.low) } : {}), ...(kind.high !== undefined ? { high: quantity(kind, kind.high) } : {}) }];
}

/** H or L beside a value outside its range, as a lab's report flags it. */
function interpretation(kind: ResultKind, value: number): CodeableConcept[] | undefined {
  const shown = round(value, kind.decimals);
  if (kind.high !== undefined && shown > kind.high) return [{ coding: [{ system: INTERPRETATION_SYSTEM, code: 'H', display: 'High' }] }];
  if (kind.low !== undefined && shown < kind.low) return [{ coding: [{ system: INTERPRETATION_SYSTEM, code: 'L', display: 'Low' }] }];
  return undefined;
}

export function addResult(record: DemoRecord, context: ResultContext, kind: ResultKind, value: number): WithId<Observation> {
  return record.add<Observation>({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CATEGORY_SYSTEM, code: kind.category, display: CATEGORY_DISPLAY[kind.category] }] }],
    code: concept(LOINC, kind),
    subject: context.subject,
    encounter: context.encounter,
    effectiveDateTime: context.effective,
    issued: context.effective,
    performer: [context.performer],
    valueQuantity: quantity(kind, value),
    ...optional('interpretation', interpretation(kind, value)),
    ...optional('referenceRange', referenceRange(kind)),
  });
}

/** Systolic and diastolic as one panel with two components (the vital-signs profile's shape). */
export function addBloodPressure(record: DemoRecord, context: ResultContext, panel: CodedItem, parts: readonly [ResultKind, number][]): WithId<Observation> {
  return record.add<Observation>({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CATEGORY_SYSTEM, code: 'vital-signs', display: 'Vital signs' }] }],
    code: concept(LOINC, panel),
    subject: context.subject,
    encounter: context.encounter,
    effectiveDateTime: context.effective,
    issued: context.effective,
    performer: [context.performer],
    component: parts.map(([kind, value]) => ({
      code: concept(LOINC, kind),
      valueQuantity: quantity(kind, value),
      ...optional('interpretation', interpretation(kind, value)),
      ...optional('referenceRange', referenceRange(kind)),
    })),
  });
}

/** A panel's results under one report, as a lab sends them. */
export function addReport(record: DemoRecord, context: ResultContext, panel: CodedItem, results: readonly [ResultKind, number][]): void {
  const observations = results.map(([kind, value]) => addResult(record, context, kind, value));
  record.add<DiagnosticReport>({
    resourceType: 'DiagnosticReport',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
    code: concept(LOINC, panel),
    subject: context.subject,
    encounter: context.encounter,
    effectiveDateTime: context.effective,
    issued: context.effective,
    performer: [context.performer],
    result: observations.map((o) => referenceTo(o, o.code.text)),
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
