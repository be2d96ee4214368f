import { describe, expect, it } from 'vitest';
import { extractIndexRows, parseReference, tokensOf, type IndexRows } from './index-rows.js';
import { SearchParameterRegistry } from './search-parameters.js';

const registry = SearchParameterRegistry.spec();
const rowsOf = (resource: Record<string, unknown>): IndexRows => extractIndexRows(resource, registry);
const only = <T extends { code: string }>(rows: T[], code: string): Omit<T, 'code'>[] =>
  rows.filter((r) => r.code === code).map(({ code: _code, ...rest }) => rest);

describe('strings', () => {
  it('stores each name part normalised for search and as written for :exact', () => {
    const rows = rowsOf({ resourceType: 'Patient', name: [{ family: 'Müller-Lüdenscheidt', given: ['José', 'María'] }] });
    expect(only(rows.string, 'family')).toEqual([{ value: 'muller-ludenscheidt', exact: 'Müller-Lüdenscheidt' }]);
    expect(only(rows.string, 'given').map((r) => r.value)).toEqual(['jose', 'maria']);
  });

  it('adds the full name "given family" so a typed full name matches', () => {
    const rows = rowsOf({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['John', 'Quincy'] }] });
    expect(only(rows.string, 'name').map((r) => r.value)).toEqual(['smith', 'john', 'quincy', 'john quincy smith']);
  });

  it('collapses whitespace and case', () => {
    const rows = rowsOf({ resourceType: 'Organization', name: '  Acme   HEALTH\tClinic ' });
    expect(only(rows.string, 'name')).toEqual([{ value: 'acme health clinic', exact: '  Acme   HEALTH\tClinic ' }]);
  });

  it('indexes every part of an address, even one holding only a country', () => {
    const full = rowsOf({ resourceType: 'Patient', address: [{ line: ['1 Main St', 'Apt 2'], city: 'Springfield', postalCode: '01101', country: 'US' }] });
    expect(only(full.string, 'address').map((r) => r.value)).toEqual(['1 main st', 'apt 2', 'springfield', '01101', 'us']);
    const countryOnly = rowsOf({ resourceType: 'Patient', address: [{ country: 'Deutschland' }] });
    expect(only(countryOnly.string, 'address').map((r) => r.value)).toEqual(['deutschland']);
  });

  it('a name given only as text is searched by its text', () => {
    const rows = rowsOf({ resourceType: 'Patient', name: [{ text: 'Dr. Anna Berg' }] });
    expect(only(rows.string, 'name').map((r) => r.value)).toEqual(['dr. anna berg']);
  });
});

describe('tokens', () => {
  it('a CodeableConcept gives one row per coding, plus its text for :text', () => {
    expect(tokensOf({ coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose' }, { code: 'local' }], text: 'Blood sugar' })).toEqual([
      { system: 'http://loinc.org', value: '2339-0', display: 'Glucose' },
      { system: null, value: 'local', display: 'Blood sugar' },
      { system: null, value: null, display: 'Blood sugar' },
    ]);
  });

  it('stores displays normalised, so :text ignores case and accents', () => {
    const rows = rowsOf({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hémoglobine' }] } });
    expect(only(rows.token, 'code')).toEqual([{ system: 'http://loinc.org', value: '718-7', display: 'hemoglobine' }]);
  });

  it('an Identifier is system|value, its type text the display', () => {
    expect(tokensOf({ system: 'urn:oid:1.2.3', value: 'MRN-1', type: { text: 'MRN' } })).toEqual([{ system: 'urn:oid:1.2.3', value: 'MRN-1', display: 'MRN' }]);
  });

  it('an Identifier keeps even a system that is not a URL; a ContactPoint system is a kind, not a namespace', () => {
    expect(tokensOf({ system: 'MRN', value: '7' })).toEqual([{ system: 'MRN', value: '7', display: null }]);
    expect(tokensOf({ system: 'phone', value: '555-0100' })).toEqual([
      { system: null, value: '555-0100', display: null },
      { system: null, value: '5550100', display: null },
    ]);
    // A phone number is also indexed by its digits, so it is found however it is typed.
    expect(tokensOf({ system: 'phone', value: '(555) 201-7788' })).toEqual([
      { system: null, value: '(555) 201-7788', display: null },
      { system: null, value: '5552017788', display: null },
    ]);
    expect(tokensOf({ system: 'email', value: 'a@b.org', use: 'home' })).toEqual([{ system: null, value: 'a@b.org', display: null }]);
  });

  it('codes, booleans and Codings', () => {
    expect(tokensOf('female')).toEqual([{ system: null, value: 'female', display: null }]);
    expect(tokensOf(false)).toEqual([{ system: null, value: 'false', display: null }]);
    expect(tokensOf({ system: 'http://s', code: 'c', display: 'D' })).toEqual([{ system: 'http://s', value: 'c', display: 'D' }]);
  });

  it('extracts the Patient tokens a front desk searches by', () => {
    const rows = rowsOf({ resourceType: 'Patient', gender: 'female', active: true, telecom: [{ system: 'phone', value: '555' }] });
    expect(only(rows.token, 'gender')).toEqual([{ system: null, value: 'female', display: null }]);
    expect(only(rows.token, 'active')).toEqual([{ system: null, value: 'true', display: null }]);
    expect(only(rows.token, 'phone')).toEqual([{ system: null, value: '555', display: null }]);
  });
});

describe('dates', () => {
  it('a date is the range of its precision', () => {
    const rows = rowsOf({ resourceType: 'Patient', birthDate: '1980-06' });
    expect(only(rows.date, 'birthdate')).toEqual([{ low: '1980-06-01T00:00:00.000Z', high: '1980-07-01T00:00:00.000Z' }]);
  });

  it('a dateTime with an offset is stored in UTC, one second wide', () => {
    const rows = rowsOf({ resourceType: 'Condition', subject: { reference: 'Patient/x' }, onsetDateTime: '2021-03-04T20:30:00+02:00' });
    expect(only(rows.date, 'onset-date')).toEqual([{ low: '2021-03-04T18:30:00.000Z', high: '2021-03-04T18:30:01.000Z' }]);
  });

  it('a Period runs from the start of its start to the end of its end; an open end is infinity', () => {
    const closed = rowsOf({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { start: '2020-01-01', end: '2020-01-03' } });
    expect(only(closed.date, 'date')).toEqual([{ low: '2020-01-01T00:00:00.000Z', high: '2020-01-04T00:00:00.000Z' }]);
    const open = rowsOf({ resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' }, period: { start: '2020-01-02T10:00:00Z' } });
    expect(only(open.date, 'date')).toEqual([{ low: '2020-01-02T10:00:00.000Z', high: 'infinity' }]);
    const noStart = rowsOf({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { end: '2020-01-02' } });
    expect(only(noStart.date, 'date')).toEqual([{ low: '-infinity', high: '2020-01-03T00:00:00.000Z' }]);
  });

  it('a range reaching past year 9999 is open-ended rather than unwritable', () => {
    const rows = rowsOf({ resourceType: 'Patient', birthDate: '9999-12-31' });
    expect(only(rows.date, 'birthdate')).toEqual([{ low: '9999-12-31T00:00:00.000Z', high: 'infinity' }]);
  });

  it('skips a value that is not a date rather than failing the write', () => {
    expect(rowsOf({ resourceType: 'Patient', birthDate: 'soon' }).date).toEqual([]);
  });
});

describe('references', () => {
  it('splits relative and versioned references into type and id', () => {
    expect(parseReference('Patient/123')).toEqual({ targetType: 'Patient', targetId: '123', url: null });
    expect(parseReference('Patient/123/_history/4')).toEqual({ targetType: 'Patient', targetId: '123', url: null });
  });

  it('never takes a reference to another server for a local resource', () => {
    expect(parseReference('https://other.example/fhir/Patient/9')).toEqual({ targetType: null, targetId: null, url: 'https://other.example/fhir/Patient/9' });
  });

  it('keeps a canonical URL without its version', () => {
    expect(parseReference('http://example.org/Questionnaire/intake|2.0')).toEqual({ targetType: null, targetId: null, url: 'http://example.org/Questionnaire/intake' });
  });

  it('indexes a logical reference by its identifier and skips a contained one', () => {
    const rows = rowsOf({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { type: 'Patient', identifier: { system: 'urn:mrn', value: 'M9' } },
      performer: [{ reference: '#contained-1' }],
    });
    expect(only(rows.reference, 'subject')).toEqual([{ targetType: 'Patient', targetId: null, url: null, identSystem: 'urn:mrn', identValue: 'M9' }]);
    expect(only(rows.reference, 'performer')).toEqual([]);
  });

  it('a typed parameter (patient) keeps only references of its type', () => {
    const toPatient = rowsOf({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } });
    expect(only(toPatient.reference, 'patient').map((r) => r.targetId)).toEqual(['p1']);
    const toDevice = rowsOf({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Device/d1' } });
    expect(only(toDevice.reference, 'patient')).toEqual([]);
    expect(only(toDevice.reference, 'subject').map((r) => r.targetType)).toEqual(['Device']);
  });
});

describe('numbers, quantities and uris', () => {
  it('a Quantity keeps value, system, unit and code', () => {
    const rows = rowsOf({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 5.4, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' } });
    expect(only(rows.quantity, 'value-quantity')).toEqual([{ value: 5.4, system: 'http://unitsofmeasure.org', unit: 'mg/dL', unitCode: 'mg/dL' }]);
  });

  it('Money is a quantity in ISO 4217', () => {
    const rows = rowsOf({ resourceType: 'ChargeItem', status: 'billable', code: { text: 'x' }, subject: { reference: 'Patient/p' }, priceOverride: { value: 12.5, currency: 'USD' }, factorOverride: 0.8 });
    expect(only(rows.quantity, 'price-override')).toEqual([{ value: 12.5, system: 'urn:iso:std:iso:4217', unit: 'USD', unitCode: 'USD' }]);
    expect(only(rows.number, 'factor-override')).toEqual([{ value: 0.8 }]);
  });

  it('a Range indexes both ends', () => {
    const rows = rowsOf({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueRange: { low: { value: 1 }, high: { value: 3 } } });
    expect(only(rows.quantity, 'value-quantity')).toEqual([]);
    const condition = rowsOf({ resourceType: 'Condition', subject: { reference: 'Patient/x' }, onsetRange: { low: { value: 40, unit: 'a' }, high: { value: 50, unit: 'a' } } });
    expect(only(condition.quantity, 'onset-age').map((q) => q.value)).toEqual([40, 50]);
  });

  it('a uri is stored as written', () => {
    const rows = rowsOf({ resourceType: 'ValueSet', status: 'active', url: 'http://example.org/fhir/ValueSet/Allergies' });
    expect(only(rows.uri, 'url')).toEqual([{ value: 'http://example.org/fhir/ValueSet/Allergies' }]);
  });
});

describe('composites', () => {
  it('pairs each component code with the value of the same component only', () => {
    const rows = rowsOf({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'BP' },
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 140, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 90, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      ],
    });
    expect(only(rows.composite, 'component-code-value-quantity').map((r) => [r.value, r.number, r.secondValue])).toEqual([
      ['8480-6', 140, 'mm[Hg]'],
      ['8462-4', 90, 'mm[Hg]'],
    ]);
  });

  it('stores a string second component normalised', () => {
    const rows = rowsOf({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '600-7' }] }, valueString: 'Négatif' });
    expect(only(rows.composite, 'code-value-string').map((r) => [r.system, r.value, r.secondValue])).toEqual([['http://loinc.org', '600-7', 'negatif']]);
  });
});

describe('what is not stored', () => {
  it('_id and _lastUpdated live on the resource row, and duplicates are stored once', () => {
    const rows = rowsOf({ resourceType: 'Patient', id: 'p1', meta: { lastUpdated: '2020-01-01T00:00:00Z' }, name: [{ given: ['Ann'] }, { given: ['Ann'] }] });
    expect(rows.token.filter((r) => r.code === '_id')).toEqual([]);
    expect(rows.date.filter((r) => r.code === '_lastUpdated')).toEqual([]);
    expect(only(rows.string, 'given')).toEqual([{ value: 'ann', exact: 'Ann' }]);
  });
});
