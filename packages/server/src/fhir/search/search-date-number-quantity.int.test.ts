import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.js';
import { openTestDatabase } from '../../test-support/test-database.js';
import { bundleAt, expectBadRequest, idsOf, matchIds, nextLink, pathOf, practiceWith, searchBundle, type SearchBundle } from './search-test-support.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const DAY = 86_400_000;

describe('date prefixes against day-precision dates (Patient.birthDate)', () => {
  const practice = practiceWith(() => db, [
    { resourceType: 'Patient', id: 'born-1979-12-31', birthDate: '1979-12-31' },
    { resourceType: 'Patient', id: 'born-1980-01-01', birthDate: '1980-01-01' },
    { resourceType: 'Patient', id: 'born-1980-06-15', birthDate: '1980-06-15' },
    { resourceType: 'Patient', id: 'born-1981-01-01', birthDate: '1981-01-01' },
    { resourceType: 'Patient', id: 'born-1990-05-05', birthDate: '1990-05-05' },
    { resourceType: 'Patient', id: 'born-unknown' },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('eq (the default) matches dates inside the searched period: birthdate=1980 is the whole year', async () => {
    expect(await ids('Patient?birthdate=1980')).toEqual(['born-1980-01-01', 'born-1980-06-15']);
    expect(await ids('Patient?birthdate=eq1980-01-01')).toEqual(['born-1980-01-01']);
    expect(await ids('Patient?birthdate=1980-06')).toEqual(['born-1980-06-15']);
  });

  it('ne matches every known date outside the searched period', async () => {
    expect(await ids('Patient?birthdate=ne1980')).toEqual(['born-1979-12-31', 'born-1981-01-01', 'born-1990-05-05']);
  });

  it('gt and lt exclude the searched day itself', async () => {
    expect(await ids('Patient?birthdate=gt1980-01-01')).toEqual(['born-1980-06-15', 'born-1981-01-01', 'born-1990-05-05']);
    expect(await ids('Patient?birthdate=lt1980-01-01')).toEqual(['born-1979-12-31']);
    expect(await ids('Patient?birthdate=gt1980')).toEqual(['born-1981-01-01', 'born-1990-05-05']);
  });

  it('birthdate=ge1980 includes a patient born on 1980-01-01', async () => {
    expect(await ids('Patient?birthdate=ge1980')).toEqual(['born-1980-01-01', 'born-1980-06-15', 'born-1981-01-01', 'born-1990-05-05']);
  });

  it('birthdate=le1980-01-01 includes a patient born on that day', async () => {
    expect(await ids('Patient?birthdate=le1980-01-01')).toEqual(['born-1979-12-31', 'born-1980-01-01']);
  });

  it('sa (starts after) and eb (ends before) compare whole periods', async () => {
    expect(await ids('Patient?birthdate=sa1980-01-01')).toEqual(['born-1980-06-15', 'born-1981-01-01', 'born-1990-05-05']);
    expect(await ids('Patient?birthdate=eb1980-06-15')).toEqual(['born-1979-12-31', 'born-1980-01-01']);
    expect(await ids('Patient?birthdate=sa1980')).toEqual(['born-1981-01-01', 'born-1990-05-05']);
  });

  it('ap matches dates near the value (10% of the distance from today) but not a decade away', async () => {
    expect(await ids('Patient?birthdate=ap1980-06-15')).toEqual(['born-1979-12-31', 'born-1980-01-01', 'born-1980-06-15', 'born-1981-01-01']);
  });

  it('two bounds on one parameter make a range (AND)', async () => {
    expect(await ids('Patient?birthdate=ge1980-01-01&birthdate=lt1981-01-01')).toEqual(['born-1980-01-01', 'born-1980-06-15']);
  });

  it('comma-separated dates are alternatives (OR)', async () => {
    expect(await ids('Patient?birthdate=1979-12-31,1990')).toEqual(['born-1979-12-31', 'born-1990-05-05']);
  });

  it(':missing finds patients without a birth date', async () => {
    expect(await ids('Patient?birthdate:missing=true')).toEqual(['born-unknown']);
    expect((await ids('Patient?birthdate:missing=false')).length).toBe(5);
  });

  it('refuses a date that is not a FHIR date, and a prefix without a date', async () => {
    for (const bad of ['1980-13-01', '1980-00-10', '1980-02-30', '0000', '01/02/1980', 'xx1980', 'gt', 'ge1980-1-1', '1980-01-01T25:00:00Z', '1980-01-01T10:00:00+25:00']) {
      await expectBadRequest(practice.server, `Patient?birthdate=${bad}`);
    }
    await expectBadRequest(practice.server, 'Patient?birthdate:exact=1980');
  });
});

describe('date prefixes against dateTime values (Condition.onsetDateTime)', () => {
  const practice = practiceWith(() => db, [
    { resourceType: 'Condition', id: 'onset-03-03-late', subject: { reference: 'Patient/x' }, onsetDateTime: '2021-03-03T23:59:59Z' },
    { resourceType: 'Condition', id: 'onset-03-04-0800', subject: { reference: 'Patient/x' }, onsetDateTime: '2021-03-04T08:00:00Z' },
    { resourceType: 'Condition', id: 'onset-03-04-1830', subject: { reference: 'Patient/x' }, onsetDateTime: '2021-03-04T20:30:00+02:00' },
    { resourceType: 'Condition', id: 'onset-03-04-day', subject: { reference: 'Patient/x' }, onsetDateTime: '2021-03-04' },
    { resourceType: 'Condition', id: 'onset-03-10', subject: { reference: 'Patient/x' }, onsetDateTime: '2021-03-10T09:00:00.250Z' },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('a day search finds every instant on that (UTC) day and the day itself', async () => {
    expect(await ids('Condition?onset-date=2021-03-04')).toEqual(['onset-03-04-0800', 'onset-03-04-1830', 'onset-03-04-day']);
  });

  it('an instant search with seconds matches that second only, in any time zone', async () => {
    expect(await ids('Condition?onset-date=2021-03-04T08:00:00Z')).toEqual(['onset-03-04-0800']);
    expect(await ids('Condition?onset-date=eq2021-03-04T10:00:00+02:00')).toEqual(['onset-03-04-0800']);
    expect(await ids('Condition?onset-date=2021-03-04T18:30:00Z')).toEqual(['onset-03-04-1830']);
    expect(await ids('Condition?onset-date=2021-03-10T09:00:00.250Z')).toEqual(['onset-03-10']);
  });

  it('gt and lt see a day-precision value as the whole day', async () => {
    expect(await ids('Condition?onset-date=gt2021-03-04T12:00:00Z')).toEqual(['onset-03-04-1830', 'onset-03-04-day', 'onset-03-10']);
    expect(await ids('Condition?onset-date=lt2021-03-04T12:00:00Z')).toEqual(['onset-03-03-late', 'onset-03-04-0800', 'onset-03-04-day']);
  });

  it('ge and le include the instant itself', async () => {
    expect(await ids('Condition?onset-date=ge2021-03-04T18:30:00Z')).toEqual(['onset-03-04-1830', 'onset-03-04-day', 'onset-03-10']);
    expect(await ids('Condition?onset-date=le2021-03-04T08:00:00Z')).toEqual(['onset-03-03-late', 'onset-03-04-0800', 'onset-03-04-day']);
  });

  it('ne, sa and eb against a day', async () => {
    expect(await ids('Condition?onset-date=ne2021-03-04')).toEqual(['onset-03-03-late', 'onset-03-10']);
    expect(await ids('Condition?onset-date=sa2021-03-04')).toEqual(['onset-03-10']);
    expect(await ids('Condition?onset-date=eb2021-03-04')).toEqual(['onset-03-03-late']);
  });

  it('a minute-precision search covers the whole minute', async () => {
    expect(await ids('Condition?onset-date=2021-03-04T08:00Z')).toEqual(['onset-03-04-0800']);
    expect(await ids('Condition?onset-date=2021-03-03T23:59Z')).toEqual(['onset-03-03-late']);
  });
});

describe('date parameters on choice elements (Observation.effective[x])', () => {
  const practice = practiceWith(() => db, [
    { resourceType: 'Observation', id: 'taken-2021-03-04', status: 'final', code: { text: 'x' }, effectiveDateTime: '2021-03-04T08:00:00Z' },
    { resourceType: 'Observation', id: 'taken-2021-05', status: 'final', code: { text: 'x' }, effectivePeriod: { start: '2021-05-01', end: '2021-05-02' } },
    { resourceType: 'RiskAssessment', id: 'risk-0.35', status: 'final', subject: { reference: 'Patient/x' }, prediction: [{ probabilityDecimal: 0.35 }] },
    { resourceType: 'RiskAssessment', id: 'risk-0.8', status: 'final', subject: { reference: 'Patient/x' }, prediction: [{ probabilityDecimal: 0.8 }] },
  ]);

  // The R4 expression is the plain path `Observation.effective`: the index must read every
  // effective[x] property (the same holds for Procedure.date, Immunization.date, ...).
  it('Observation?date= finds effectiveDateTime and effectivePeriod', async () => {
    expect(await matchIds(practice.server, 'Observation?date=2021-03-04')).toEqual(['taken-2021-03-04']);
    expect(await matchIds(practice.server, 'Observation?date=ge2021-04')).toEqual(['taken-2021-05']);
  });

  it('RiskAssessment?probability= finds prediction.probabilityDecimal', async () => {
    expect(await matchIds(practice.server, 'RiskAssessment?probability=0.35')).toEqual(['risk-0.35']);
    expect(await matchIds(practice.server, 'RiskAssessment?probability=gt0.5')).toEqual(['risk-0.8']);
  });
});

describe('date prefixes against Periods (Encounter.period)', () => {
  const practice = practiceWith(() => db, [
    { resourceType: 'Encounter', id: 'stay-dec-30-to-jan-1', status: 'finished', class: { code: 'IMP' }, period: { start: '2019-12-30', end: '2020-01-01' } },
    { resourceType: 'Encounter', id: 'stay-jan-1-to-3', status: 'finished', class: { code: 'IMP' }, period: { start: '2020-01-01', end: '2020-01-03' } },
    { resourceType: 'Encounter', id: 'stay-ongoing-from-jan-2', status: 'in-progress', class: { code: 'IMP' }, period: { start: '2020-01-02T10:00:00Z' } },
    { resourceType: 'Encounter', id: 'visit-feb-10', status: 'finished', class: { code: 'AMB' }, period: { start: '2020-02-10T09:00:00Z', end: '2020-02-10T09:30:00Z' } },
    { resourceType: 'Encounter', id: 'no-period', status: 'planned', class: { code: 'AMB' } },
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('eq matches periods wholly inside the searched period', async () => {
    expect(await ids('Encounter?date=2020-01')).toEqual(['stay-jan-1-to-3']);
    expect(await ids('Encounter?date=2020')).toEqual(['stay-jan-1-to-3', 'visit-feb-10']);
    expect(await ids('Encounter?date=2020-01-02')).toEqual([]);
    expect(await ids('Encounter?date=2020-02-10')).toEqual(['visit-feb-10']);
  });

  it('ne matches the periods eq does not', async () => {
    expect(await ids('Encounter?date=ne2020-01')).toEqual(['stay-dec-30-to-jan-1', 'stay-ongoing-from-jan-2', 'visit-feb-10']);
  });

  it('gt and lt match periods that reach past the value; an open end reaches forever', async () => {
    expect(await ids('Encounter?date=gt2020-01-15')).toEqual(['stay-ongoing-from-jan-2', 'visit-feb-10']);
    expect(await ids('Encounter?date=lt2020-01-02')).toEqual(['stay-dec-30-to-jan-1', 'stay-jan-1-to-3']);
  });

  it('ge and le add the periods inside the searched day to gt and lt (spec: "or the search range fully contains")', async () => {
    expect(await ids('Encounter?date=ge2020-02-10')).toEqual(['stay-ongoing-from-jan-2', 'visit-feb-10']);
    expect(await ids('Encounter?date=le2020-02-10')).toEqual(['stay-dec-30-to-jan-1', 'stay-jan-1-to-3', 'stay-ongoing-from-jan-2', 'visit-feb-10']);
    // Starts on Jan 1 but reaches past it: neither below Jan 1 nor inside it.
    expect(await ids('Encounter?date=le2020-01-01')).toEqual(['stay-dec-30-to-jan-1']);
  });

  it('sa matches periods starting after the value ends; eb periods ending before it starts', async () => {
    expect(await ids('Encounter?date=sa2020-01-01')).toEqual(['stay-ongoing-from-jan-2', 'visit-feb-10']);
    expect(await ids('Encounter?date=eb2020-01-05')).toEqual(['stay-dec-30-to-jan-1', 'stay-jan-1-to-3']);
    expect(await ids('Encounter?date=eb2020-01-01')).toEqual([]);
  });

  it(':missing finds encounters without a period', async () => {
    expect(await ids('Encounter?date:missing=true')).toEqual(['no-period']);
  });
});

describe('date ap near today (MedicationRequest.authoredOn)', () => {
  const now = Date.now();
  const practice = practiceWith(() => db, [
    { resourceType: 'MedicationRequest', id: 'written-yesterday', status: 'active', intent: 'order', subject: { reference: 'Patient/x' }, medicationCodeableConcept: { text: 'A' }, authoredOn: new Date(now - DAY).toISOString() },
    { resourceType: 'MedicationRequest', id: 'written-40-days-ago', status: 'active', intent: 'order', subject: { reference: 'Patient/x' }, medicationCodeableConcept: { text: 'B' }, authoredOn: new Date(now - 40 * DAY).toISOString() },
  ]);

  it('ap on a recent day allows about a day either side, not weeks', async () => {
    const yesterday = new Date(now - DAY).toISOString().slice(0, 10);
    expect(await matchIds(practice.server, `MedicationRequest?authoredon=ap${yesterday}`)).toEqual(['written-yesterday']);
  });
});

describe('number parameters (ChargeItem.factorOverride)', () => {
  const charge = (id: string, factorOverride?: number) => ({
    resourceType: 'ChargeItem',
    id,
    status: 'billable',
    code: { text: 'office visit' },
    subject: { reference: 'Patient/x' },
    ...(factorOverride === undefined ? {} : { factorOverride, priceOverride: { value: factorOverride, currency: 'USD' } }),
  });
  const practice = practiceWith(() => db, [charge('factor-0.25', 0.25), charge('factor-2.05', 2.05), charge('factor-99.7', 99.7), charge('factor-100', 100), charge('factor-100.6', 100.6), charge('factor-250', 250), charge('factor-none')]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('value=100 matches 99.7 but not 100.6: a number is as precise as it is written', async () => {
    expect(await ids('ChargeItem?factor-override=100')).toEqual(['factor-100', 'factor-99.7']);
    expect(await ids('ChargeItem?factor-override=100.0')).toEqual(['factor-100']);
    expect(await ids('ChargeItem?factor-override=0.25')).toEqual(['factor-0.25']);
  });

  it('the precision range is exact decimal arithmetic: 2.1 matches a stored 2.05, 2.0 does not', async () => {
    expect(await ids('ChargeItem?factor-override=2.1')).toEqual(['factor-2.05']);
    expect(await ids('ChargeItem?factor-override=2.0')).toEqual([]);
    expect(await ids('ChargeItem?factor-override=2.05')).toEqual(['factor-2.05']);
  });

  it('ne is the complement of eq among resources with a value', async () => {
    expect(await ids('ChargeItem?factor-override=ne100')).toEqual(['factor-0.25', 'factor-100.6', 'factor-2.05', 'factor-250']);
  });

  it('gt lt ge le compare with the value as written', async () => {
    expect(await ids('ChargeItem?factor-override=gt100')).toEqual(['factor-100.6', 'factor-250']);
    expect(await ids('ChargeItem?factor-override=lt100')).toEqual(['factor-0.25', 'factor-2.05', 'factor-99.7']);
    expect(await ids('ChargeItem?factor-override=ge100')).toEqual(['factor-100', 'factor-100.6', 'factor-250']);
    expect(await ids('ChargeItem?factor-override=le100')).toEqual(['factor-0.25', 'factor-100', 'factor-2.05', 'factor-99.7']);
  });

  it('sa and eb behave as gt and lt on numbers', async () => {
    expect(await ids('ChargeItem?factor-override=sa100')).toEqual(['factor-100.6', 'factor-250']);
    expect(await ids('ChargeItem?factor-override=eb100')).toEqual(['factor-0.25', 'factor-2.05', 'factor-99.7']);
  });

  it('ap matches within 10% of the value', async () => {
    expect(await ids('ChargeItem?factor-override=ap100')).toEqual(['factor-100', 'factor-100.6', 'factor-99.7']);
    expect(await ids('ChargeItem?factor-override=ap240')).toEqual(['factor-250']);
  });

  it(':missing and ranges built from two bounds', async () => {
    expect(await ids('ChargeItem?factor-override:missing=true')).toEqual(['factor-none']);
    expect(await ids('ChargeItem?factor-override=gt1&factor-override=lt100.5')).toEqual(['factor-100', 'factor-2.05', 'factor-99.7']);
  });

  it('Money is a quantity whose system is ISO 4217 and whose code is the currency', async () => {
    expect(await ids('ChargeItem?price-override=100.6|urn:iso:std:iso:4217|USD')).toEqual(['factor-100.6']);
    expect(await ids('ChargeItem?price-override=gt200||USD')).toEqual(['factor-250']);
    expect(await ids('ChargeItem?price-override=100.6||EUR')).toEqual([]);
  });

  it('sorts by the number, missing values last, and pages through the same order', async () => {
    const server = practice.server;
    const order = ['factor-250', 'factor-100.6', 'factor-100', 'factor-99.7', 'factor-2.05', 'factor-0.25', 'factor-none'];
    expect(idsOf(await searchBundle(server, 'ChargeItem?_sort=-factor-override'))).toEqual(order);
    const paged: string[] = [];
    for (let page: SearchBundle | undefined = await searchBundle(server, 'ChargeItem?_sort=-factor-override&_count=2'); page; ) {
      paged.push(...idsOf(page));
      const next = nextLink(page);
      page = next ? await bundleAt(server, pathOf(next)) : undefined;
    }
    expect(paged).toEqual(order);
  });

  it('refuses a value that is not a number', async () => {
    for (const bad of ['abc', 'gt', 'gtabc', '1,5x', '0x10']) await expectBadRequest(practice.server, `ChargeItem?factor-override=${bad}`);
  });
});

describe('quantity parameters (Observation.valueQuantity)', () => {
  const observation = (id: string, valueQuantity: Record<string, unknown>) => ({ resourceType: 'Observation', id, status: 'final', code: { text: id }, valueQuantity });
  const practice = practiceWith(() => db, [
    observation('ucum-5.4-mg-dl', { value: 5.4, unit: 'mg/dL', system: UCUM, code: 'mg/dL' }),
    observation('ucum-5.4-mmol-l', { value: 5.4, unit: 'mmol/L', system: UCUM, code: 'mmol/L' }),
    observation('ucum-100-mg-dl', { value: 100, unit: 'mg/dL', system: UCUM, code: 'mg/dL' }),
    observation('other-system-5.4-mg-dl', { value: 5.4, system: 'http://example.org/units', code: 'mg/dL' }),
    observation('unit-text-5.4-mg', { value: 5.4, unit: 'mg' }),
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('a bare number matches any unit', async () => {
    expect(await ids('Observation?value-quantity=5.4')).toEqual(['other-system-5.4-mg-dl', 'ucum-5.4-mg-dl', 'ucum-5.4-mmol-l', 'unit-text-5.4-mg']);
  });

  it('number|system|code must match system and code', async () => {
    expect(await ids(`Observation?value-quantity=5.4|${UCUM}|mg/dL`)).toEqual(['ucum-5.4-mg-dl']);
    expect(await ids(`Observation?value-quantity=5.4|${UCUM}|mmol/L`)).toEqual(['ucum-5.4-mmol-l']);
    expect(await ids(`Observation?value-quantity=5.4|${UCUM}|g`)).toEqual([]);
  });

  it('number||code matches the code (or unit text) in any system', async () => {
    expect(await ids('Observation?value-quantity=5.4||mg/dL')).toEqual(['other-system-5.4-mg-dl', 'ucum-5.4-mg-dl']);
    expect(await ids('Observation?value-quantity=5.4||mg')).toEqual(['unit-text-5.4-mg']);
  });

  it('prefixes apply to the number', async () => {
    expect(await ids(`Observation?value-quantity=gt5|${UCUM}|mg/dL`)).toEqual(['ucum-100-mg-dl', 'ucum-5.4-mg-dl']);
    expect(await ids('Observation?value-quantity=lt10||mg/dL')).toEqual(['other-system-5.4-mg-dl', 'ucum-5.4-mg-dl']);
    expect(await ids('Observation?value-quantity=ge100')).toEqual(['ucum-100-mg-dl']);
    expect(await ids(`Observation?value-quantity=ne5.4|${UCUM}|mg/dL`)).toEqual(['ucum-100-mg-dl']);
    expect(await ids('Observation?value-quantity=ap98')).toEqual(['ucum-100-mg-dl']);
  });

  it('refuses a quantity without a number', async () => {
    await expectBadRequest(practice.server, `Observation?value-quantity=|${UCUM}|mg/dL`);
    await expectBadRequest(practice.server, 'Observation?value-quantity=five');
  });
});

describe('composite parameters', () => {
  const bloodPressure = (id: string, systolic: number, diastolic: number) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: systolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: diastolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
    ],
  });
  const glucose = (id: string, code: string, value: number) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: LOINC, code }] },
    valueQuantity: { value, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
  });
  const finding = (id: string, code: string, value: Record<string, unknown>) => ({ resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: LOINC, code }] }, ...value });
  const practice = practiceWith(() => db, [
    finding('culture-negative', '600-7', { valueString: 'Négatif après 48 h' }),
    finding('culture-positive', '600-7', { valueString: 'Positive: E. coli' }),
    finding('pregnancy-negative', '2106-3', { valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260385009' }], text: 'Negative' } }),
    finding('pregnancy-positive', '2106-3', { valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '10828004' }] } }),
    bloodPressure('bp-140-90', 140, 90),
    bloodPressure('bp-118-76', 118, 76),
    glucose('glucose-7.2', '15074-8', 7.2),
    glucose('glucose-4.9', '15074-8', 4.9),
    glucose('other-test-7.2', '2345-7', 7.2),
  ]);
  const ids = (search: string): Promise<string[]> => matchIds(practice.server, search);

  it('code-value-quantity pairs the code with the value of the same Observation', async () => {
    expect(await ids(`Observation?code-value-quantity=${LOINC}|15074-8$gt5`)).toEqual(['glucose-7.2']);
    expect(await ids('Observation?code-value-quantity=15074-8$lt5')).toEqual(['glucose-4.9']);
    expect(await ids(`Observation?code-value-quantity=15074-8$7.2|${UCUM}|mmol/L`)).toEqual(['glucose-7.2']);
    expect(await ids('Observation?code-value-quantity=15074-8$7.2||mg/dL')).toEqual([]);
  });

  it('component-code-value-quantity pairs code and value within one component', async () => {
    expect(await ids(`Observation?component-code-value-quantity=${LOINC}|8480-6$gt130`)).toEqual(['bp-140-90']);
    expect(await ids('Observation?component-code-value-quantity=8462-4$lt80')).toEqual(['bp-118-76']);
    // bp-140-90 has a value above 130 and a diastolic component, but not in the same component.
    expect(await ids(`Observation?component-code-value-quantity=${LOINC}|8462-4$gt130`)).toEqual([]);
    expect(await ids(`Observation?component-code-value-quantity=8480-6$140|${UCUM}|mm[Hg]`)).toEqual(['bp-140-90']);
  });

  it('comma-separated pairs are alternatives', async () => {
    expect(await ids('Observation?component-code-value-quantity=8480-6$gt130,8462-4$lt80')).toEqual(['bp-118-76', 'bp-140-90']);
  });

  it('code-value-string matches the start of the text, ignoring case and accents', async () => {
    expect(await ids('Observation?code-value-string=600-7$negatif')).toEqual(['culture-negative']);
    expect(await ids(`Observation?code-value-string=${LOINC}|600-7$POSITIVE`)).toEqual(['culture-positive']);
    expect(await ids('Observation?code-value-string=600-7$coli')).toEqual([]);
    expect(await ids('Observation?code-value-string=600-7$%')).toEqual([]);
    expect(await ids('Observation?code-value-string=2106-3$neg')).toEqual([]);
  });

  it('code-value-concept pairs two tokens', async () => {
    expect(await ids('Observation?code-value-concept=2106-3$http://snomed.info/sct|260385009')).toEqual(['pregnancy-negative']);
    expect(await ids(`Observation?code-value-concept=${LOINC}|2106-3$10828004`)).toEqual(['pregnancy-positive']);
    expect(await ids('Observation?code-value-concept=600-7$10828004')).toEqual([]);
  });

  it('refuses a composite value without the $ separator', async () => {
    await expectBadRequest(practice.server, 'Observation?code-value-quantity=15074-8');
  });
});

describe('_lastUpdated', () => {
  const practice = practiceWith(() => db, []);

  it('compares with the time each resource was last written', async () => {
    const server = practice.server;
    const first = await server.fhir('PUT', 'Device/written-first', { resourceType: 'Device', id: 'written-first' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await server.fhir('PUT', 'Device/written-second', { resourceType: 'Device', id: 'written-second' });
    const firstAt = first.body.meta.lastUpdated as string;
    expect(firstAt < (second.body.meta.lastUpdated as string)).toBe(true);
    expect(await matchIds(server, `Device?_lastUpdated=gt${firstAt}`)).toEqual(['written-second']);
    expect(await matchIds(server, `Device?_lastUpdated=le${firstAt}`)).toEqual(['written-first']);
    expect(await matchIds(server, `Device?_lastUpdated=${firstAt}`)).toEqual(['written-first']);
    expect(await matchIds(server, `Device?_lastUpdated=ge${firstAt.slice(0, 10)}`)).toEqual(['written-first', 'written-second']);
    expect(await matchIds(server, 'Device?_lastUpdated=lt2000-01-01')).toEqual([]);
    await expectBadRequest(server, 'Device?_lastUpdated=yesterday');
  });
});
