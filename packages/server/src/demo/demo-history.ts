import type { AllergyIntolerance, Condition, Encounter, Immunization, MedicationRequest, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import type { DateTime } from 'luxon';
import {
  ACUTE_CONDITIONS,
  ALLERGIES,
  BLOOD_PRESSURE_PANEL,
  CVX,
  ENCOUNTER_TYPES,
  LIPID_PANEL,
  METABOLIC_PANEL,
  RESULTS,
  RXNORM,
  SNOMED,
  VACCINES,
  type ChronicCondition,
  type CodedItem,
  type Medication,
} from './clinical-catalog.js';
import type { DemoDirectory } from './demo-directory.js';
import { addBloodPressure, addReport, addResult, concept, type ResultContext } from './demo-observations.js';
import type { DemoPatient } from './demo-patients.js';
import { referenceTo, type DemoRecord } from './demo-record.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * How far back a chart goes: four years for anyone with a long-term problem (enough check-ups
 * for a trend plot to show a direction); others joined the practice at some point in that time.
 */
const HISTORY_YEARS: readonly (readonly [number, number])[] = [[1, 0.35], [2, 0.35], [3, 0.3]];

type VisitKind = 'check-up' | 'follow-up' | 'acute';

interface Visit {
  readonly kind: VisitKind;
  readonly at: DateTime;
  readonly acute?: (typeof ACUTE_CONDITIONS)[number];
}

/** A person's own baselines, so each one's results drift and respond to treatment believably. */
interface Physiology {
  readonly heightCm: number;
  weightKg: number;
  readonly systolic: number;
  readonly heartRate: number;
  readonly a1c: number;
  readonly ldl: number;
  readonly hdl: number;
  readonly triglycerides: number;
  readonly creatinine: number;
}

const CLINICAL_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';

/**
 * A few years of a patient's care, Synthea-style: yearly check-ups, follow-ups for long-term
 * problems, the odd sick visit; vitals at every visit, labs when a clinician would order them;
 * problems diagnosed at a visit and treated from it; vaccines in season; allergies.
 */
export function generateHistory(record: DemoRecord, directory: DemoDirectory, person: DemoPatient): void {
  const { random, now } = record;
  const historyYears = person.chronic.length > 0 ? 4 : random.weighted(HISTORY_YEARS);
  const windowStart = maxTime(now.minus({ years: historyYears }), person.birth.plus({ months: 2 }));
  const lastVisitDay = now.startOf('week').minus({ days: 3 });
  const subject = referenceTo(person.patient);
  const performer = referenceTo(person.pcp.practitioner, person.pcp.display);
  const site = directory.schedules.find((s) => s.clinician === person.pcp)?.site ?? directory.sites[0]!;
  const visits = planVisits(random, person, windowStart, lastVisitDay);
  if (visits.length === 0) return;

  // Long-term problems: diagnosed years ago (recorded at the first visit shown) or during the window.
  const diagnosis = new Map<ChronicCondition, Visit>(
    person.chronic.map((c) => [c, random.chance(0.55) ? visits[0]! : visits[Math.min(visits.length - 1, random.int(0, Math.floor(visits.length / 2)))]!]),
  );
  const body = physiology(random, person);
  const treatedSince = (key: ChronicCondition['key']): DateTime | undefined => [...diagnosis].find(([c]) => c.key === key)?.[1].at;
  let heightCm = body.heightCm;
  let screened = false;

  for (const visit of visits) {
    const encounter = record.add<Encounter>({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [concept(SNOMED, encounterType(visit, person.age))],
      subject,
      participant: [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' }] }], individual: performer }],
      period: { start: iso(visit.at), end: iso(visit.at.plus({ minutes: visit.kind === 'check-up' ? 40 : 20 })) },
      ...(visit.acute ? { reasonCode: [concept(SNOMED, visit.acute)] } : {}),
      location: [{ location: referenceTo(site, site.name) }],
      serviceProvider: referenceTo(directory.organization, directory.organization.name),
    });
    const context: ResultContext = { subject, encounter: referenceTo(encounter), performer, effective: iso(visit.at) };

    for (const [condition, diagnosedAt] of diagnosis) {
      if (diagnosedAt !== visit) continue;
      const onset = visit === visits[0] && random.chance(0.6) ? visit.at.minus({ years: random.int(1, 6) }) : visit.at;
      const problem = addCondition(record, context, condition, onset);
      for (const medication of condition.medications.slice(0, random.chance(0.3) ? 2 : 1)) addMedication(record, context, medication, visit.at, 'active', problem);
    }
    if (visit.acute) {
      const problem = addCondition(record, context, visit.acute, visit.at, visit.at.plus({ days: random.int(7, 21) }));
      if (visit.acute.medication) addMedication(record, context, visit.acute.medication, visit.at, 'completed', problem);
    }

    // Blood pressure at every visit, weight at planned ones, the rest at check-ups; a child grows, an adult's weight drifts.
    const years = visit.at.diff(person.birth, 'years').years;
    if (years < 18) heightCm = childHeight(years, person.gender) * (body.heightCm / childHeight(18, person.gender));
    const weight = years < 18 ? (body.weightKg * (heightCm / 100) ** 2) / (body.heightCm / 100) ** 2 : body.weightKg + random.normal(0, 0.8);
    body.weightKg = years < 18 ? body.weightKg : body.weightKg + random.normal(0.15, 0.5);
    const treatedPressure = sinceTreatment(treatedSince('hypertension'), visit.at);
    const systolic = body.systolic - 14 * treatedPressure + random.normal(0, 6) + (years < 18 ? -12 : 0);
    addBloodPressure(record, context, BLOOD_PRESSURE_PANEL, [
      [RESULTS.systolic, systolic],
      [RESULTS.diastolic, systolic * 0.63 + random.normal(0, 4)],
    ]);
    if (visit.kind !== 'acute') addResult(record, context, RESULTS.weight, weight);
    if (visit.kind === 'check-up') {
      addResult(record, context, RESULTS.heartRate, body.heartRate + random.normal(0, 6) + (years < 12 ? 20 : 0));
      addResult(record, context, RESULTS.height, heightCm + random.normal(0, 0.3));
      addResult(record, context, RESULTS.bmi, weight / (heightCm / 100) ** 2);
    }

    const has = (key: ChronicCondition['key']) => diagnosis.has(person.chronic.find((c) => c.key === key)!) && treatedSince(key)! <= visit.at;
    const diabetic = has('diabetes');
    const a1c = body.a1c - (diabetic ? 1.1 * sinceTreatment(treatedSince('diabetes'), visit.at) : 0) + random.normal(0, diabetic ? 0.3 : 0.12);

    // Labs as screening guidelines order them: lipids at every check-up when they are being
    // treated (or with diabetes), otherwise once, at the first adult check-up from 40; a metabolic
    // panel yearly with hypertension or diabetes, otherwise at the first adult check-up; an A1c
    // for anyone with (pre)diabetes at each check-up and diabetes follow-up; a TSH for thyroid disease.
    const firstAdultCheckUp = visit.kind === 'check-up' && years >= 18 && !screened;
    if (visit.kind === 'check-up' && years >= 18) screened = true;
    if (visit.kind === 'check-up' && years >= 18 && (has('hyperlipidemia') || diabetic || (firstAdultCheckUp && years >= 40))) {
      const statin = sinceTreatment(treatedSince('hyperlipidemia'), visit.at);
      const ldl = body.ldl * (1 - 0.35 * statin) + random.normal(0, 8);
      const hdl = body.hdl + random.normal(0, 4);
      const triglycerides = body.triglycerides + random.normal(0, 18);
      addReport(record, context, LIPID_PANEL, [
        [RESULTS.cholesterol, ldl + hdl + triglycerides / 5],
        [RESULTS.ldl, ldl],
        [RESULTS.hdl, hdl],
        [RESULTS.triglycerides, triglycerides],
      ]);
    }
    if (visit.kind === 'check-up' && years >= 18 && (has('hypertension') || diabetic || firstAdultCheckUp)) {
      addReport(record, context, METABOLIC_PANEL, [
        [RESULTS.glucose, 28.7 * a1c - 46.7 - 15 + random.normal(0, 6)],
        [RESULTS.creatinine, body.creatinine + random.normal(0, 0.06)],
      ]);
    }
    if ((has('prediabetes') || diabetic) && (visit.kind === 'check-up' || (diabetic && visit.kind === 'follow-up'))) addResult(record, context, RESULTS.hba1c, a1c);
    if (has('hypothyroidism') && visit.kind === 'check-up') addResult(record, context, RESULTS.tsh, 6.8 - 4.4 * sinceTreatment(treatedSince('hypothyroidism'), visit.at) + random.normal(0, 0.4));
  }

  addImmunizations(record, person, visits, subject, performer, windowStart, lastVisitDay);
  addAllergies(record, person, subject, performer, visits[0]!.at);
}

function planVisits(random: SeededRandom, person: DemoPatient, from: DateTime, to: DateTime): Visit[] {
  const visits: Visit[] = [];
  const checkUpMonth = random.int(1, 12);
  for (let year = from.year; year <= to.year; year++) {
    const at = clinicTime(random, from.set({ year, month: checkUpMonth, day: random.int(1, 28) }));
    if (at > from && at < to && (person.age >= 3 || random.chance(0.8))) visits.push({ kind: 'check-up', at });
  }
  if (person.chronic.some((c) => c.key !== 'prediabetes')) {
    for (let at = from.plus({ months: random.int(2, 8) }); at < to; at = at.plus({ months: random.int(6, 9) })) visits.push({ kind: 'follow-up', at: clinicTime(random, at) });
  }
  const sickVisits = random.weighted([[0, 0.45], [1, 0.35], [2, 0.15], [3, 0.05]] as const);
  const span = to.diff(from, 'days').days;
  for (let i = 0; i < sickVisits && span > 0; i++) {
    visits.push({ kind: 'acute', at: clinicTime(random, from.plus({ days: random.int(0, Math.floor(span)) })), acute: random.pick(ACUTE_CONDITIONS) });
  }
  return visits.filter((v) => v.at < to).sort((a, b) => +a.at - +b.at);
}

/** A weekday between 8:00 and 16:30, on the quarter hour. */
function clinicTime(random: SeededRandom, day: DateTime): DateTime {
  const weekday = day.weekday > 5 ? day.plus({ days: 8 - day.weekday }) : day;
  return weekday.set({ hour: random.int(8, 16), minute: random.pick([0, 15, 30]), second: 0, millisecond: 0 });
}

function physiology(random: SeededRandom, person: DemoPatient): Physiology {
  const has = (key: ChronicCondition['key']) => person.chronic.some((c) => c.key === key);
  const male = person.gender === 'male';
  const heightCm = random.normal(male ? 177 : 163, 7);
  const bmi = person.age < 18 ? random.normal(18, 2) : Math.max(19, random.normal(has('diabetes') || has('prediabetes') ? 31 : 27, 4));
  return {
    heightCm,
    weightKg: bmi * (heightCm / 100) ** 2,
    systolic: random.normal(112 + 0.35 * Math.max(0, person.age - 30), 7) + (has('hypertension') ? 24 : 0),
    heartRate: random.normal(72, 7),
    a1c: has('diabetes') ? random.normal(8.3, 0.7) : has('prediabetes') ? random.normal(6.0, 0.15) : random.normal(5.2, 0.25),
    ldl: has('hyperlipidemia') ? random.normal(168, 18) : random.normal(112, 20),
    hdl: random.normal(male ? 46 : 56, 8),
    triglycerides: random.normal(has('diabetes') ? 190 : 130, 30),
    creatinine: random.normal(male ? 1.0 : 0.8, 0.12),
  };
}

/** 0 before treatment, rising to 1 over the six months after it starts. */
function sinceTreatment(start: DateTime | undefined, at: DateTime): number {
  if (!start || at < start) return 0;
  return Math.min(1, at.diff(start, 'months').months / 6);
}

/** A rough growth curve (CDC median shape), scaled per child to their adult height. */
function childHeight(years: number, gender: 'female' | 'male'): number {
  const y = Math.max(0.2, Math.min(18, years));
  const adult = gender === 'male' ? 177 : 163;
  const finalAge = gender === 'male' ? 17 : 15;
  if (y >= finalAge) return adult;
  return Math.min(adult, 50 + 25 * Math.min(y, 1) + 11 * Math.min(Math.max(y - 1, 0), 1) + ((adult - 86) * Math.max(0, y - 2)) / (finalAge - 2));
}

function encounterType(visit: Visit, age: number): CodedItem {
  if (visit.kind === 'check-up') return age < 18 ? ENCOUNTER_TYPES.wellChild : ENCOUNTER_TYPES.checkUp;
  return visit.kind === 'follow-up' ? ENCOUNTER_TYPES.followUp : ENCOUNTER_TYPES.symptom;
}

function addCondition(record: DemoRecord, context: ResultContext, problem: CodedItem, onset: DateTime, abatement?: DateTime): Reference<Condition> {
  const condition = record.add<Condition>({
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: CLINICAL_STATUS, code: abatement ? 'resolved' : 'active' }] },
    verificationStatus: { coding: [{ system: VERIFICATION_STATUS, code: 'confirmed' }] },
    category: [{ coding: [{ system: CONDITION_CATEGORY, code: abatement ? 'encounter-diagnosis' : 'problem-list-item' }] }],
    code: concept(SNOMED, problem),
    subject: context.subject,
    encounter: context.encounter,
    onsetDateTime: iso(onset),
    ...(abatement ? { abatementDateTime: iso(abatement) } : {}),
    recordedDate: context.effective,
    recorder: context.performer,
  });
  return referenceTo(condition, problem.display);
}

function addMedication(record: DemoRecord, context: ResultContext, medication: Medication, at: DateTime, status: 'active' | 'completed', reason: Reference<Condition>): void {
  record.add<MedicationRequest>({
    resourceType: 'MedicationRequest',
    status,
    intent: 'order',
    medicationCodeableConcept: concept(RXNORM, medication),
    subject: context.subject,
    encounter: context.encounter,
    authoredOn: iso(at),
    requester: context.performer,
    reasonReference: [reason],
    dosageInstruction: [{ sequence: 1, text: medication.dosage }],
    ...(status === 'active' ? { dispenseRequest: { numberOfRepeatsAllowed: 3, expectedSupplyDuration: { value: 90, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' } } } : {}),
  });
}

function addImmunizations(record: DemoRecord, person: DemoPatient, visits: readonly Visit[], patient: Reference<Patient>, performer: Reference<Practitioner>, from: DateTime, to: DateTime): void {
  const { random } = record;
  const give = (vaccine: CodedItem, at: DateTime) =>
    record.add<Immunization>({
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: concept(CVX, vaccine),
      patient,
      occurrenceDateTime: iso(at),
      primarySource: true,
      performer: [{ actor: performer }],
    });
  // A flu shot most autumns, at a visit that season when there is one.
  for (let year = from.year; year <= to.year; year++) {
    const season = from.set({ year, month: 10, day: 1 });
    if (season < from || season > to || !random.chance(person.age >= 65 ? 0.8 : 0.55)) continue;
    const visit = visits.find((v) => v.at >= season && v.at < season.plus({ months: 3 }));
    give(VACCINES.influenza, visit?.at ?? clinicTime(random, season.plus({ days: random.int(0, 45) })));
  }
  const sometime = () => clinicTime(random, from.plus({ days: random.int(0, Math.max(1, Math.floor(to.diff(from, 'days').days))) }));
  if (person.age >= 12 && random.chance(0.7)) give(VACCINES.covid, sometime());
  if (person.age >= 19 && random.chance(0.4)) give(random.chance(0.5) ? VACCINES.tdap : VACCINES.td, sometime());
  if (person.age >= 50 && random.chance(0.5)) give(VACCINES.zoster, sometime());
  if (person.age >= 65 && random.chance(0.6)) give(VACCINES.pneumococcal, sometime());
  if (person.age >= 11 && person.age <= 26 && random.chance(0.5)) give(VACCINES.hpv, sometime());
  if (person.age <= 6) {
    give(VACCINES.dtap, sometime());
    if (person.age >= 1) give(VACCINES.mmr, sometime());
  }
}

function addAllergies(record: DemoRecord, person: DemoPatient, patient: Reference<Patient>, recorder: Reference<Practitioner>, recorded: DateTime): void {
  const { random } = record;
  const portal = person.patient.name?.[0]?.family === 'Miller' && person.patient.name?.[0]?.given?.[0] === 'Grace';
  const count = portal ? 2 : random.weighted([[0, 0.7], [1, 0.22], [2, 0.08]] as const);
  const chosen = portal ? [ALLERGIES[0]!, ALLERGIES[4]!] : [...new Set(Array.from({ length: count }, () => random.pick(ALLERGIES)))];
  for (const allergy of chosen) {
    record.add<AllergyIntolerance>({
      resourceType: 'AllergyIntolerance',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'confirmed' }] },
      type: 'allergy',
      category: [allergy.category],
      criticality: allergy.criticality,
      code: concept(SNOMED, allergy),
      patient,
      recordedDate: iso(recorded),
      recorder,
      reaction: [{ manifestation: [concept(SNOMED, allergy.reaction)], severity: allergy.criticality === 'high' ? 'severe' : 'mild' }],
    });
  }
}

function iso(at: DateTime): string {
  return at.toISO({ suppressMilliseconds: true })!;
}

function maxTime(a: DateTime, b: DateTime): DateTime {
  return a > b ? a : b;
}
