import type { Patient } from './patient.js';

/** "Smith, Ana Maria" — family name first, as charts and wristbands show it. */
export function patientName(patient: Patient): string {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  if (!name) return 'Unnamed patient';
  if (name.text && !name.family) return name.text;
  const given = (name.given ?? []).join(' ');
  return [name.family, given].filter(Boolean).join(', ') || name.text || 'Unnamed patient';
}

/** Whole years on `today` (a birthday later this year has not been had yet). */
export function ageOn(birthDate: string, today: Date): number | undefined {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(birthDate);
  if (!match) return undefined;
  const [year, month = 1, day = 1] = [Number(match[1]), Number(match[2] ?? 1), Number(match[3] ?? 1)];
  let age = today.getFullYear() - year;
  if (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day)) age -= 1;
  return age >= 0 ? age : undefined;
}

/** "3 y", or months for a baby under two. */
export function ageLabel(birthDate: string, today: Date): string {
  const years = ageOn(birthDate, today);
  if (years === undefined) return '';
  if (years >= 2) return `${years} y`;
  const [y, m, d] = birthDate.split('-').map(Number);
  let months = (today.getFullYear() - y!) * 12 + (today.getMonth() + 1 - (m ?? 1));
  if (today.getDate() < (d ?? 1)) months -= 1;
  return `${Math.max(0, months)} mo`;
}

/** The medical record number: the identifier typed MR (HL7 v2-0203), else the first one. */
export function medicalRecordNumber(patient: Patient): string | undefined {
  const identifiers = patient.identifier ?? [];
  const mrn = identifiers.find((i) => i.type?.coding?.some((c) => c.code === 'MR')) ?? identifiers[0];
  return mrn?.value;
}

export function sexLabel(gender: string | undefined): string {
  return gender ? gender.charAt(0).toUpperCase() + gender.slice(1) : 'Not recorded';
}

export function phoneOf(patient: Patient): string | undefined {
  return patient.telecom?.find((t) => t.system === 'phone')?.value;
}
