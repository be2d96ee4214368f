/**
 * The clinical vocabulary of the demo charts, in the codes Synthea writes (SNOMED CT for
 * problems and encounters, RxNorm for drugs, CVX for vaccines, LOINC for results), so the
 * demo record looks like the data real interfaces bring in.
 */
export const SNOMED = 'http://snomed.info/sct';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const CVX = 'http://hl7.org/fhir/sid/cvx';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';

export interface CodedItem {
  readonly code: string;
  readonly display: string;
}

export interface Medication extends CodedItem {
  readonly dosage: string;
}

/** A long-term problem: who tends to have it, and how it is treated and followed. */
export interface ChronicCondition extends CodedItem {
  readonly key: 'hypertension' | 'diabetes' | 'prediabetes' | 'hyperlipidemia' | 'asthma' | 'depression' | 'osteoarthritis' | 'hypothyroidism';
  /** Chance by age band: under 18, 18-44, 45-64, 65 and over. */
  readonly prevalence: readonly [number, number, number, number];
  readonly medications: readonly Medication[];
}

export const CHRONIC_CONDITIONS: readonly ChronicCondition[] = [
  {
    key: 'hypertension',
    code: '59621000',
    display: 'Essential hypertension (disorder)',
    prevalence: [0.01, 0.12, 0.4, 0.6],
    medications: [
      { code: '314076', display: 'lisinopril 10 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily' },
      { code: '197361', display: 'amlodipine 5 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily' },
    ],
  },
  {
    key: 'diabetes',
    code: '44054006',
    display: 'Diabetes mellitus type 2 (disorder)',
    prevalence: [0.002, 0.04, 0.14, 0.22],
    medications: [{ code: '860975', display: '24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet', dosage: 'Take 1 tablet by mouth twice daily with meals' }],
  },
  { key: 'prediabetes', code: '714628002', display: 'Prediabetes (finding)', prevalence: [0.01, 0.1, 0.2, 0.18], medications: [] },
  {
    key: 'hyperlipidemia',
    code: '55822004',
    display: 'Hyperlipidemia (disorder)',
    prevalence: [0.01, 0.08, 0.3, 0.45],
    medications: [{ code: '312961', display: 'simvastatin 20 MG Oral Tablet', dosage: 'Take 1 tablet by mouth at bedtime' }],
  },
  {
    key: 'asthma',
    code: '195967001',
    display: 'Asthma (disorder)',
    prevalence: [0.09, 0.08, 0.07, 0.06],
    medications: [
      { code: '745679', display: '200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', dosage: 'Inhale 2 puffs every 4 to 6 hours as needed for wheezing' },
      { code: '895994', display: '120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler', dosage: 'Inhale 2 puffs twice daily' },
    ],
  },
  {
    key: 'depression',
    code: '370143000',
    display: 'Major depressive disorder (disorder)',
    prevalence: [0.03, 0.09, 0.08, 0.06],
    medications: [{ code: '312940', display: 'sertraline 50 MG Oral Tablet', dosage: 'Take 1 tablet by mouth once daily' }],
  },
  {
    key: 'osteoarthritis',
    code: '239873007',
    display: 'Osteoarthritis of knee (disorder)',
    prevalence: [0, 0.02, 0.12, 0.3],
    medications: [{ code: '849574', display: 'naproxen sodium 220 MG Oral Tablet', dosage: 'Take 1 tablet by mouth twice daily as needed for pain' }],
  },
  {
    key: 'hypothyroidism',
    code: '40930008',
    display: 'Hypothyroidism (disorder)',
    prevalence: [0.005, 0.03, 0.06, 0.08],
    medications: [{ code: '966222', display: 'levothyroxine sodium 0.05 MG Oral Tablet', dosage: 'Take 1 tablet by mouth every morning before breakfast' }],
  },
];

/** Short illnesses that bring a patient in between check-ups; resolved within weeks. */
export const ACUTE_CONDITIONS: readonly (CodedItem & { readonly medication?: Medication })[] = [
  { code: '444814009', display: 'Viral sinusitis (disorder)' },
  { code: '195662009', display: 'Acute viral pharyngitis (disorder)' },
  { code: '10509002', display: 'Acute bronchitis (disorder)' },
  { code: '43878008', display: 'Streptococcal sore throat (disorder)', medication: { code: '834061', display: 'penicillin V potassium 250 MG Oral Tablet', dosage: 'Take 1 tablet by mouth four times daily for 10 days' } },
  { code: '65363002', display: 'Otitis media (disorder)', medication: { code: '308182', display: 'amoxicillin 250 MG Oral Capsule', dosage: 'Take 1 capsule by mouth three times daily for 7 days' } },
  { code: '38822007', display: 'Cystitis (disorder)', medication: { code: '310965', display: 'ibuprofen 200 MG Oral Tablet', dosage: 'Take 1 tablet by mouth every 6 hours as needed' } },
  { code: '44465007', display: 'Sprain of ankle (disorder)', medication: { code: '310965', display: 'ibuprofen 200 MG Oral Tablet', dosage: 'Take 1 tablet by mouth every 6 hours as needed' } },
];

export const ALLERGIES: readonly (CodedItem & { readonly category: 'medication' | 'food' | 'environment'; readonly reaction: CodedItem; readonly criticality: 'low' | 'high' })[] = [
  { code: '91936005', display: 'Allergy to penicillin (finding)', category: 'medication', reaction: { code: '271807003', display: 'Eruption of skin (disorder)' }, criticality: 'high' },
  { code: '294505008', display: 'Allergy to sulfonamide (finding)', category: 'medication', reaction: { code: '271807003', display: 'Eruption of skin (disorder)' }, criticality: 'low' },
  { code: '300913006', display: 'Shellfish allergy (finding)', category: 'food', reaction: { code: '39579001', display: 'Anaphylaxis (disorder)' }, criticality: 'high' },
  { code: '91935009', display: 'Allergy to peanut (finding)', category: 'food', reaction: { code: '247472004', display: 'Wheal (finding)' }, criticality: 'high' },
  { code: '418689008', display: 'Allergy to grass pollen (finding)', category: 'environment', reaction: { code: '49727002', display: 'Cough (finding)' }, criticality: 'low' },
  { code: '232347008', display: 'Dander (animal) allergy (finding)', category: 'environment', reaction: { code: '76067001', display: 'Sneezing (finding)' }, criticality: 'low' },
  { code: '419474003', display: 'Allergy to mould (finding)', category: 'environment', reaction: { code: '49727002', display: 'Cough (finding)' }, criticality: 'low' },
];

export const VACCINES = {
  influenza: { code: '140', display: 'Influenza, seasonal, injectable, preservative free' },
  covid: { code: '208', display: 'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose' },
  tdap: { code: '115', display: 'Tdap' },
  td: { code: '113', display: 'Td (adult) preservative free' },
  pneumococcal: { code: '133', display: 'Pneumococcal conjugate PCV 13' },
  zoster: { code: '187', display: 'zoster vaccine recombinant' },
  hpv: { code: '165', display: 'HPV9' },
  dtap: { code: '20', display: 'DTaP' },
  mmr: { code: '03', display: 'MMR' },
} as const satisfies Record<string, CodedItem>;

export const ENCOUNTER_TYPES = {
  checkUp: { code: '162673000', display: 'General examination of patient (procedure)' },
  wellChild: { code: '410620009', display: 'Well child visit (procedure)' },
  followUp: { code: '185389009', display: 'Follow-up visit (procedure)' },
  symptom: { code: '185345009', display: 'Encounter for symptom (procedure)' },
} as const satisfies Record<string, CodedItem>;

/** A numeric result: its LOINC code, unit, and the range a lab prints beside it. */
export interface ResultKind extends CodedItem {
  readonly unit: string;
  readonly category: 'vital-signs' | 'laboratory';
  readonly decimals: number;
  readonly low?: number;
  readonly high?: number;
}

export const RESULTS = {
  heartRate: { code: '8867-4', display: 'Heart rate', unit: '/min', category: 'vital-signs', decimals: 0, low: 60, high: 100 },
  weight: { code: '29463-7', display: 'Body weight', unit: 'kg', category: 'vital-signs', decimals: 1 },
  height: { code: '8302-2', display: 'Body height', unit: 'cm', category: 'vital-signs', decimals: 1 },
  bmi: { code: '39156-5', display: 'Body mass index (BMI) [Ratio]', unit: 'kg/m2', category: 'vital-signs', decimals: 1, low: 18.5, high: 24.9 },
  systolic: { code: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]', category: 'vital-signs', decimals: 0, low: 90, high: 129 },
  diastolic: { code: '8462-4', display: 'Diastolic blood pressure', unit: 'mm[Hg]', category: 'vital-signs', decimals: 0, low: 60, high: 79 },
  hba1c: { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%', category: 'laboratory', decimals: 1, low: 4, high: 5.6 },
  glucose: { code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL', category: 'laboratory', decimals: 0, low: 70, high: 99 },
  cholesterol: { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', unit: 'mg/dL', category: 'laboratory', decimals: 0, high: 199 },
  ldl: { code: '18262-6', display: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay', unit: 'mg/dL', category: 'laboratory', decimals: 0, high: 99 },
  hdl: { code: '2085-9', display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', unit: 'mg/dL', category: 'laboratory', decimals: 0, low: 40 },
  triglycerides: { code: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma', unit: 'mg/dL', category: 'laboratory', decimals: 0, high: 149 },
  creatinine: { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL', category: 'laboratory', decimals: 2, low: 0.6, high: 1.3 },
  tsh: { code: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma', unit: 'm[IU]/L', category: 'laboratory', decimals: 2, low: 0.4, high: 4.5 },
} as const satisfies Record<string, ResultKind>;

export const BLOOD_PRESSURE_PANEL: CodedItem = { code: '85354-9', display: 'Blood pressure panel with all children optional' };
export const LIPID_PANEL: CodedItem = { code: '57698-3', display: 'Lipid panel with direct LDL - Serum or Plasma' };
export const METABOLIC_PANEL: CodedItem = { code: '51990-0', display: 'Basic metabolic panel - Blood' };

export const GIVEN_NAMES = {
  female: ['Olivia', 'Emma', 'Ava', 'Sophia', 'Isabella', 'Mia', 'Amelia', 'Harper', 'Evelyn', 'Abigail', 'Grace', 'Chloe', 'Lucia', 'Priya', 'Aaliyah', 'Mei', 'Fatima', 'Rosa', 'Hannah', 'Nora', 'Leah', 'Zoe', 'Maya', 'Ines', 'Keiko', 'Margaret', 'Dorothy', 'Linda', 'Patricia', 'Barbara'],
  male: ['Liam', 'Noah', 'Oliver', 'Elijah', 'James', 'William', 'Benjamin', 'Lucas', 'Henry', 'Mateo', 'Samuel', 'David', 'Omar', 'Wei', 'Rahul', 'Kwame', 'Diego', 'Jamal', 'Ethan', 'Jacob', 'Arjun', 'Hiro', 'Carlos', 'Andre', 'Tomas', 'Robert', 'Richard', 'Joseph', 'Thomas', 'Charles'],
} as const;

export const FAMILY_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson',
  'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis',
  'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall',
  'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Chen', 'Patel', 'Kim', 'Okafor', 'Haddad', 'Kowalski', 'Novak', 'Schmidt', 'Rossi', 'Tanaka',
] as const;

export const STREETS = ['Main St', 'Oak Ave', 'Maple St', 'Cedar Ln', 'Pine St', 'Elm St', 'Washington Ave', 'Lake Rd', 'Hill St', 'Park Ave', 'River Rd', 'Church St', 'Mill Rd', 'Spring St', 'Highland Ave'] as const;

/** Towns around the demo practice (Springfield, Massachusetts), with their ZIP codes. */
export const TOWNS = [
  { city: 'Springfield', postalCode: '01103' },
  { city: 'Springfield', postalCode: '01108' },
  { city: 'Chicopee', postalCode: '01013' },
  { city: 'West Springfield', postalCode: '01089' },
  { city: 'Holyoke', postalCode: '01040' },
  { city: 'Longmeadow', postalCode: '01106' },
  { city: 'Agawam', postalCode: '01001' },
  { city: 'Ludlow', postalCode: '01056' },
] as const;
