import { normalizeString, phoneticKeys } from '@unichart/fhir';
import type { HumanName, Patient } from '@medplum/fhirtypes';
import { distance } from 'fastest-levenshtein';

/**
 * How alike two patient records are, for duplicate checks at registration and `Patient/$match`.
 * Each kind of evidence adds weight (an exact birth date more than a shared postal code); the
 * total maps to the grades FHIR's match-grade extension uses.
 */
export type MatchGrade = 'certain' | 'probable' | 'possible';

export interface MatchScore {
  readonly score: number;
  readonly grade: MatchGrade | undefined;
  /** What agreed, in words for the person deciding. */
  readonly reasons: string[];
}

const WEIGHTS = {
  identifier: 0.55,
  familyExact: 0.25,
  familySounds: 0.18,
  familyTypo: 0.12,
  givenExact: 0.15,
  givenNickname: 0.13,
  givenSounds: 0.1,
  givenInitial: 0.04,
  birthDate: 0.25,
  birthDateTransposed: 0.1,
  phone: 0.12,
  email: 0.12,
  address: 0.1,
  postalCode: 0.04,
  otherGender: -0.15,
} as const;

export function gradeOf(score: number): MatchGrade | undefined {
  if (score >= 0.75) return 'certain';
  if (score >= 0.55) return 'probable';
  if (score >= 0.35) return 'possible';
  return undefined;
}

export function scoreMatch(input: Patient, candidate: Patient): MatchScore {
  let score = 0;
  const reasons: string[] = [];
  const add = (weight: number, reason: string): void => {
    score += weight;
    reasons.push(reason);
  };

  const sharedIdentifier = (input.identifier ?? []).find(
    (a) => a.system && a.value && (candidate.identifier ?? []).some((b) => b.system === a.system && b.value === a.value),
  );
  if (sharedIdentifier) add(WEIGHTS.identifier, `same identifier (${sharedIdentifier.type?.text ?? sharedIdentifier.system})`);

  const family = bestOf(familyNames(input), familyNames(candidate), compareFamily);
  if (family) add(WEIGHTS[family.kind], family.reason);
  const given = bestOf(givenNames(input), givenNames(candidate), compareGiven);
  if (given) add(WEIGHTS[given.kind], given.reason);

  if (input.birthDate && candidate.birthDate) {
    if (input.birthDate === candidate.birthDate) add(WEIGHTS.birthDate, 'same birth date');
    else if (transposed(input.birthDate, candidate.birthDate)) add(WEIGHTS.birthDateTransposed, 'birth date with day and month swapped or one digit apart');
  }
  if (intersects(phones(input), phones(candidate))) add(WEIGHTS.phone, 'same phone number');
  if (intersects(emails(input), emails(candidate))) add(WEIGHTS.email, 'same email address');
  const address = compareAddresses(input, candidate);
  if (address) add(WEIGHTS[address], address === 'address' ? 'same street address' : 'same postal code');
  if (input.gender && candidate.gender && input.gender !== candidate.gender && input.gender !== 'unknown' && candidate.gender !== 'unknown') {
    add(WEIGHTS.otherGender, 'different sex recorded');
  }
  const bounded = Math.max(0, Math.min(1, Math.round(score * 100) / 100));
  return { score: bounded, grade: gradeOf(bounded), reasons };
}

type Compared<K extends string> = { kind: K; reason: string } | undefined;

function bestOf<K extends keyof typeof WEIGHTS>(a: string[], b: string[], compare: (x: string, y: string) => Compared<K>): Compared<K> {
  let best: Compared<K>;
  for (const x of a) {
    for (const y of b) {
      const result = compare(x, y);
      if (result && (!best || WEIGHTS[result.kind] > WEIGHTS[best.kind])) best = result;
    }
  }
  return best;
}

function compareFamily(a: string, b: string): Compared<'familyExact' | 'familySounds' | 'familyTypo'> {
  if (a === b) return { kind: 'familyExact', reason: 'same family name' };
  if (soundAlike(a, b)) return { kind: 'familySounds', reason: 'family names sound alike' };
  if (a.length > 3 && distance(a, b) <= (a.length > 7 ? 2 : 1)) return { kind: 'familyTypo', reason: 'family names differ by a typing slip' };
  return undefined;
}

function compareGiven(a: string, b: string): Compared<'givenExact' | 'givenNickname' | 'givenSounds' | 'givenInitial'> {
  if (a === b) return { kind: 'givenExact', reason: 'same given name' };
  if (nicknamesOf(a).has(b)) return { kind: 'givenNickname', reason: 'given names are a name and its nickname' };
  if (soundAlike(a, b)) return { kind: 'givenSounds', reason: 'given names sound alike' };
  if ((a.length === 1 || b.length === 1) && a[0] === b[0]) return { kind: 'givenInitial', reason: 'same first initial' };
  return undefined;
}

function soundAlike(a: string, b: string): boolean {
  const keys = new Set(phoneticKeys(a));
  return phoneticKeys(b).some((k) => keys.has(k));
}

/** Old names count too: a maiden name is how a returning patient is often found. */
function names(patient: Patient): HumanName[] {
  return patient.name ?? [];
}

function familyNames(patient: Patient): string[] {
  return names(patient).flatMap((n) => (n.family ? [normalizeString(n.family)] : []));
}

function givenNames(patient: Patient): string[] {
  return names(patient).flatMap((n) => (n.given ?? []).slice(0, 1).map((g) => normalizeString(g.replace(/\.$/, ''))));
}

function phones(patient: Patient): string[] {
  return (patient.telecom ?? []).filter((t) => t.system === 'phone' || t.system === 'sms').map((t) => (t.value ?? '').replace(/\D/g, '').slice(-10)).filter((d) => d.length >= 7);
}

function emails(patient: Patient): string[] {
  return (patient.telecom ?? []).filter((t) => t.system === 'email').map((t) => (t.value ?? '').trim().toLowerCase()).filter(Boolean);
}

function compareAddresses(a: Patient, b: Patient): 'address' | 'postalCode' | undefined {
  const key = (line: string | undefined) => normalizeString(line ?? '').replace(/\b(street|st|avenue|ave|road|rd|drive|dr|lane|ln|apartment|apt|suite|ste)\b/g, '').replace(/[^a-z0-9]/g, '');
  let result: 'address' | 'postalCode' | undefined;
  for (const x of a.address ?? []) {
    for (const y of b.address ?? []) {
      const samePostal = Boolean(x.postalCode && y.postalCode && x.postalCode.slice(0, 5) === y.postalCode.slice(0, 5));
      const sameLine = Boolean(x.line?.[0] && y.line?.[0] && key(x.line[0]) === key(y.line[0]));
      if (sameLine && (samePostal || normalizeString(x.city ?? '') === normalizeString(y.city ?? ''))) return 'address';
      if (samePostal) result = 'postalCode';
    }
  }
  return result;
}

/** 1980-03-04 and 1980-04-03, or a single digit typed wrong. */
function transposed(a: string, b: string): boolean {
  const [ya, ma, da] = a.split('-');
  const [yb, mb, db] = b.split('-');
  if (ya === yb && ma === db && da === mb) return true;
  return a.length === b.length && distance(a, b) === 1;
}

function intersects(a: string[], b: string[]): boolean {
  return a.some((x) => b.includes(x));
}

/** Common English given names and their usual short forms, both ways. */
const NICKNAME_GROUPS = [
  'william bill billy will willy liam', 'robert bob bobby rob robbie bert', 'richard rick ricky dick rich', 'james jim jimmy jamie',
  'john jack johnny jon', 'joseph joe joey', 'michael mike mikey mick', 'thomas tom tommy', 'charles charlie chuck chas',
  'christopher chris kit', 'daniel dan danny', 'matthew matt', 'anthony tony', 'andrew andy drew', 'edward ed eddie ted ned',
  'elizabeth liz lizzie beth betty eliza libby', 'margaret maggie meg peggy marge', 'katherine kate katie kathy kat cathy catherine kathryn',
  'jennifer jen jenny', 'patricia pat patty trish', 'susan sue susie', 'deborah debbie deb', 'rebecca becky becca', 'alexander alex alec sandy',
  'alexandra alex sandra lexi', 'benjamin ben benny', 'samuel sam sammy', 'nicholas nick nicky', 'jonathan jon jonny', 'steven steve stephen',
  'timothy tim timmy', 'gregory greg', 'jeffrey jeff', 'lawrence larry', 'leonard leo len lenny', 'raymond ray', 'ronald ron ronnie',
  'donald don donny', 'kenneth ken kenny', 'gerald gerry jerry', 'victoria vicky tori', 'abigail abby', 'dorothy dot dottie',
  'frances fran frankie', 'francis frank frankie', 'harold harry hal', 'henry hank harry', 'josephine jo josie', 'theodore ted teddy theo',
  'zachary zach zack', 'nathaniel nate nat', 'nathan nate', 'peter pete', 'phillip phil philip', 'sarah sally sadie', 'valerie val', 'veronica ronnie',
];

const NICKNAMES = new Map<string, Set<string>>();
for (const group of NICKNAME_GROUPS) {
  const members = group.split(' ');
  for (const name of members) {
    const set = NICKNAMES.get(name) ?? new Set<string>();
    for (const other of members) if (other !== name) set.add(other);
    NICKNAMES.set(name, set);
  }
}

function nicknamesOf(name: string): Set<string> {
  return NICKNAMES.get(name) ?? new Set();
}
