/** Believable, repeatable test data for the benchmarks: a seeded generator, not Math.random. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'ten', 'sho', 'vel', 'dor', 'an', 'bri', 'cas', 'el', 'fin', 'gar', 'hol', 'is', 'jen', 'kor', 'lan', 'mor', 'nel', 'os', 'pil', 'quin', 'ros', 'sul', 'tor', 'ul', 'var', 'wen'];
const GIVEN = ['Ana', 'Ben', 'Chloe', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kira', 'Liam', 'Maya', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tariq'];
export const LOINC = ['8480-6', '8462-4', '8867-4', '9279-1', '8310-5', '29463-7', '8302-2', '39156-5', '2339-0', '2093-3', '2571-8', '18262-6', '2085-9', '4548-4', '718-7', '789-8', '6690-2', '777-3', '2951-2', '2823-3'];

export function familyName(random: () => number): string {
  const a = SYLLABLES[Math.floor(random() * SYLLABLES.length)]!;
  const b = SYLLABLES[Math.floor(random() * SYLLABLES.length)]!;
  return (a + b).charAt(0).toUpperCase() + (a + b).slice(1);
}

export function birthDate(random: () => number): string {
  const year = 1930 + Math.floor(random() * 90);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function patient(random: () => number): Record<string, unknown> {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:unichart:bench', value: String(Math.floor(random() * 1e12)) }],
    name: [{ family: familyName(random), given: [GIVEN[Math.floor(random() * GIVEN.length)]!] }],
    gender: random() < 0.5 ? 'female' : 'male',
    birthDate: birthDate(random),
    telecom: [{ system: 'phone', value: `555-${String(Math.floor(random() * 10000)).padStart(4, '0')}` }],
    address: [{ line: ['1 Main St'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
  };
}

export function observation(random: () => number, patientId: string): Record<string, unknown> {
  const code = LOINC[Math.floor(random() * LOINC.length)]!;
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: `20${10 + Math.floor(random() * 15)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}T10:00:00Z`,
    valueQuantity: { value: Math.round(random() * 2000) / 10, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  };
}
