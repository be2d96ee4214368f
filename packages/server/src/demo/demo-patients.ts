import type { Coverage, Patient } from '@medplum/fhirtypes';
import type { DateTime } from 'luxon';
import { CHRONIC_CONDITIONS, FAMILY_NAMES, GIVEN_NAMES, STREETS, TOWNS, type ChronicCondition } from './clinical-catalog.js';
import type { DemoClinician, DemoDirectory } from './demo-directory.js';
import { referenceTo, type DemoRecord, type WithId } from './demo-record.js';

export interface DemoPatient {
  readonly patient: WithId<Patient>;
  readonly age: number;
  readonly gender: 'female' | 'male';
  readonly birth: DateTime;
  readonly pcp: DemoClinician;
  readonly chronic: readonly ChronicCondition[];
  readonly coverage?: WithId<Coverage>;
}

/**
 * The first patient is the one the demo portal account opens: a chart with something to show
 * (blood pressure and cholesterol trends, a prediabetes watch, allergies, a booked visit).
 */
export const PORTAL_PATIENT = { given: 'Grace', family: 'Miller', gender: 'female', age: 58, chronic: ['hypertension', 'hyperlipidemia', 'prediabetes'] } as const;

const AGE_BANDS: readonly (readonly [[number, number], number])[] = [
  [[1, 17], 0.2],
  [[18, 44], 0.3],
  [[45, 64], 0.28],
  [[65, 92], 0.22],
];

export function generatePatients(record: DemoRecord, directory: DemoDirectory, count: number): DemoPatient[] {
  const patients: DemoPatient[] = [];
  for (let n = 0; n < count; n++) patients.push(generatePatient(record, directory, n));
  return patients;
}

function generatePatient(record: DemoRecord, directory: DemoDirectory, n: number): DemoPatient {
  const { random, now } = record;
  const portal = n === 0;
  const gender = portal ? PORTAL_PATIENT.gender : random.chance(0.52) ? 'female' : 'male';
  const [low, high] = random.weighted(AGE_BANDS);
  const age = portal ? PORTAL_PATIENT.age : random.int(low, high);
  const birth = now.minus({ years: age, days: random.int(1, 360) }).startOf('day');
  const given = portal ? PORTAL_PATIENT.given : random.pick(GIVEN_NAMES[gender]);
  const family = portal ? PORTAL_PATIENT.family : random.pick(FAMILY_NAMES);
  const middle = !portal && random.chance(0.4) ? [random.pick(GIVEN_NAMES[gender])] : [];
  const town = random.pick(TOWNS);
  const adult = age >= 18;
  const band = age < 18 ? 0 : age < 45 ? 1 : age < 65 ? 2 : 3;
  const chronic = portal
    ? CHRONIC_CONDITIONS.filter((c) => (PORTAL_PATIENT.chronic as readonly string[]).includes(c.key))
    : CHRONIC_CONDITIONS.filter((c) => random.chance(c.prevalence[band]!)).filter((c, _, all) => !(c.key === 'prediabetes' && all.some((o) => o.key === 'diabetes')));
  const pcp = portal ? directory.clinicians.find((c) => c.key === 'alvarez')! : choosePrimaryCare(record, directory, age);
  const email = adult && (portal || random.chance(0.65)) ? `${given}.${family}${portal ? '' : n}@example.com`.toLowerCase() : undefined;
  const prefix = adult ? (gender === 'male' ? 'Mr.' : random.chance(0.5) ? 'Ms.' : 'Mrs.') : undefined;

  const patient = record.add<Patient>(
    {
      resourceType: 'Patient',
      extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: gender === 'female' ? 'F' : 'M' }],
      active: true,
      name: [{ use: 'official', family, given: [given, ...middle], ...(prefix ? { prefix: [prefix] } : {}) }],
      telecom: [
        { system: 'phone', value: `(413) 555-${String(random.int(200, 9999)).padStart(4, '0')}`, use: 'mobile', rank: 1 },
        ...(email ? [{ system: 'email' as const, value: email, use: 'home' as const, rank: 2 }] : []),
      ],
      gender,
      birthDate: birth.toISODate()!,
      address: [{ use: 'home', line: [`${random.int(2, 980)} ${random.pick(STREETS)}`], city: town.city, state: 'MA', postalCode: town.postalCode, country: 'US' }],
      maritalStatus: {
        coding: [
          adult && random.chance(0.55)
            ? { system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M', display: 'Married' }
            : { system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'S', display: 'Never Married' },
        ],
      },
      communication: [
        random.chance(0.12)
          ? { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es', display: 'Spanish' }], text: 'Spanish' }, preferred: true }
          : { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }], text: 'English' }, preferred: true },
      ],
      generalPractitioner: [referenceTo(pcp.practitioner, pcp.display)],
      managingOrganization: referenceTo(directory.organization, directory.organization.name),
    },
    `Patient/${n}`,
  );
  const coverage = portal || random.chance(0.88) ? addCoverage(record, directory, patient, age, n) : undefined;
  return { patient, age, gender, birth, pcp, chronic, coverage };
}

function choosePrimaryCare(record: DemoRecord, directory: DemoDirectory, age: number): DemoClinician {
  const byKey = new Map(directory.clinicians.map((c) => [c.key, c]));
  const options: [string, number][] = age < 18 ? [['natarajan', 0.75], ['alvarez', 0.15], ['kim', 0.1]] : [['alvarez', 0.4], ['okafor', 0.35], ['kim', 0.25]];
  return byKey.get(record.random.weighted(options))!;
}

function addCoverage(record: DemoRecord, directory: DemoDirectory, patient: WithId<Patient>, age: number, n: number): WithId<Coverage> {
  const payer = directory.payers.find((p) => p.forSeniors === age >= 65)!;
  const start = record.now.minus({ years: record.random.int(1, 6) }).startOf('year');
  const subscriberId = `${payer.organization.identifier![0]!.value!.slice(0, 2)}${String(100000000 + n * 7919).slice(-9)}`;
  return record.add<Coverage>({
    resourceType: 'Coverage',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HIP', display: 'health insurance plan policy' }] },
    subscriberId,
    beneficiary: referenceTo(patient),
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: age < 18 ? 'child' : 'self' }] },
    period: { start: start.toISODate()! },
    payor: [referenceTo(payer.organization, payer.organization.name)],
    class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' }] }, value: payer.forSeniors ? 'MA-2210' : 'GRP-1042', name: payer.forSeniors ? 'Medicare Advantage HMO' : 'Springfield Employers Group' }],
    order: 1,
    costToBeneficiary: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-copay-type', code: 'gpvisit', display: 'GP Office Visit' }] }, valueMoney: { value: payer.copay, currency: 'USD' } },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-copay-type', code: 'spvisit', display: 'Specialist Office Visit' }] }, valueMoney: { value: payer.specialistCopay, currency: 'USD' } },
    ],
  });
}
