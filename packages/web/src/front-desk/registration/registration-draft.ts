import type { Binary, Bundle, BundleEntry, Consent, Extension, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { coverageEntries, type CoverageDraft } from '../insurance/coverage-draft.js';

/** What the clerk types at registration; every field is text as the form holds it. */
export interface RegistrationDraft {
  readonly legalGiven: string;
  readonly legalFamily: string;
  readonly preferredName: string;
  readonly birthDate: string;
  /** Administrative sex (Patient.gender). */
  readonly sex: string;
  /** US Core birth sex: F, M or UNK. */
  readonly birthSex: string;
  readonly genderIdentity: string;
  readonly race: string;
  readonly ethnicity: string;
  readonly language: string;
  readonly line: string;
  readonly city: string;
  readonly state: string;
  readonly postalCode: string;
  readonly homePhone: string;
  readonly mobilePhone: string;
  readonly email: string;
  /** email, sms or none (opted out of reminders). */
  readonly reminderPreference: string;
  readonly guarantor: ContactDraft;
  readonly emergencyContact: ContactDraft;
  readonly hipaaAcknowledged: boolean;
  /** A photo or ID scan, already read as base64. */
  readonly idScan?: { readonly contentType: string; readonly data: string; readonly title: string };
}

export interface ContactDraft {
  readonly name: string;
  /** HL7 v3 RoleCode: SPS (spouse), PRN (parent), CHILD, FRND, GUARD, ONESELF … */
  readonly relationship: string;
  readonly phone: string;
}

export const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';
export const REMINDER_PREFERENCE_URL = 'https://unichart.dev/fhir/StructureDefinition/reminder-preference';
const OMB = 'urn:oid:2.16.840.1.113883.6.238';
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const CONTACT_ROLE = 'http://terminology.hl7.org/CodeSystem/v2-0131';

/** OMB race and ethnicity categories (US Core), code → label. */
export const RACES: Record<string, string> = {
  '1002-5': 'American Indian or Alaska Native',
  '2028-9': 'Asian',
  '2054-5': 'Black or African American',
  '2076-8': 'Native Hawaiian or Other Pacific Islander',
  '2106-3': 'White',
};
export const ETHNICITIES: Record<string, string> = { '2135-2': 'Hispanic or Latino', '2186-5': 'Not Hispanic or Latino' };
/** SNOMED CT gender identity codes used by US Core. */
export const GENDER_IDENTITIES: Record<string, string> = {
  '446151000124109': 'Identifies as male',
  '446141000124107': 'Identifies as female',
  '33791000087105': 'Identifies as non-binary',
  '446131000124102': 'Identifies as non-conforming',
};
export const LANGUAGES: Record<string, string> = { en: 'English', es: 'Spanish', zh: 'Chinese', vi: 'Vietnamese', fr: 'French', ar: 'Arabic', ru: 'Russian', ko: 'Korean', tl: 'Tagalog' };

export const EMPTY_CONTACT: ContactDraft = { name: '', relationship: '', phone: '' };

/** The form's own checks, before anything is sent: what a clerk must fix, by field. */
export function registrationProblems(draft: RegistrationDraft, today: Date): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft.legalFamily.trim()) problems.legalFamily = 'Enter the legal family name.';
  if (!draft.legalGiven.trim()) problems.legalGiven = 'Enter the legal given name.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.birthDate) || Number.isNaN(Date.parse(`${draft.birthDate}T00:00:00Z`)) || new Date(`${draft.birthDate}T00:00:00Z`).toISOString().slice(0, 10) !== draft.birthDate) {
    problems.birthDate = 'Enter a real birth date (year-month-day).';
  } else if (draft.birthDate > today.toISOString().slice(0, 10)) problems.birthDate = 'The birth date is in the future.';
  if (!draft.sex) problems.sex = 'Choose the sex recorded for administration.';
  if (draft.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email)) problems.email = 'Enter an email address such as name@example.com.';
  if (draft.reminderPreference === 'email' && !draft.email.trim()) problems.email = 'Reminders by email need an email address.';
  if (draft.reminderPreference === 'sms' && !draft.mobilePhone.trim()) problems.mobilePhone = 'Reminders by text need a mobile phone.';
  if (draft.guarantor.name.trim() && !draft.guarantor.relationship) problems['guarantor.relationship'] = 'Choose how the guarantor is related to the patient.';
  if (draft.emergencyContact.name.trim() && !draft.emergencyContact.phone.trim()) problems['emergencyContact.phone'] = 'An emergency contact needs a phone number.';
  if (!draft.hipaaAcknowledged) problems.hipaaAcknowledged = 'The patient must acknowledge the notice of privacy practices (or note that they declined on paper).';
  return problems;
}

/** The Patient as US Core wants it; `$match` is called with this before anything is written. */
export function patientFrom(draft: RegistrationDraft): Patient {
  const extension: Extension[] = [];
  if (draft.race) extension.push({ url: `${US_CORE}/us-core-race`, extension: [{ url: 'ombCategory', valueCoding: { system: OMB, code: draft.race, display: RACES[draft.race] } }, { url: 'text', valueString: RACES[draft.race] ?? draft.race }] });
  if (draft.ethnicity) extension.push({ url: `${US_CORE}/us-core-ethnicity`, extension: [{ url: 'ombCategory', valueCoding: { system: OMB, code: draft.ethnicity, display: ETHNICITIES[draft.ethnicity] } }, { url: 'text', valueString: ETHNICITIES[draft.ethnicity] ?? draft.ethnicity }] });
  if (draft.birthSex) extension.push({ url: `${US_CORE}/us-core-birthsex`, valueCode: draft.birthSex });
  if (draft.genderIdentity) extension.push({ url: `${US_CORE}/us-core-genderIdentity`, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: draft.genderIdentity, display: GENDER_IDENTITIES[draft.genderIdentity] }], text: GENDER_IDENTITIES[draft.genderIdentity] } });
  if (draft.reminderPreference) extension.push({ url: REMINDER_PREFERENCE_URL, valueCode: draft.reminderPreference });
  const telecom = [
    ...(draft.homePhone.trim() ? [{ system: 'phone' as const, use: 'home' as const, value: draft.homePhone.trim() }] : []),
    ...(draft.mobilePhone.trim() ? [{ system: 'phone' as const, use: 'mobile' as const, value: draft.mobilePhone.trim() }] : []),
    ...(draft.email.trim() ? [{ system: 'email' as const, value: draft.email.trim() }] : []),
  ];
  const hasAddress = [draft.line, draft.city, draft.state, draft.postalCode].some((part) => part.trim());
  return {
    resourceType: 'Patient',
    active: true,
    ...(extension.length ? { extension } : {}),
    name: [
      { use: 'official', family: draft.legalFamily.trim(), given: draft.legalGiven.trim().split(/\s+/) },
      ...(draft.preferredName.trim() ? [{ use: 'usual' as const, given: [draft.preferredName.trim()], family: draft.legalFamily.trim() }] : []),
    ],
    birthDate: draft.birthDate,
    gender: draft.sex as Patient['gender'],
    ...(telecom.length ? { telecom } : {}),
    ...(hasAddress ? { address: [{ use: 'home', line: draft.line.trim() ? [draft.line.trim()] : undefined, city: draft.city.trim() || undefined, state: draft.state.trim() || undefined, postalCode: draft.postalCode.trim() || undefined, country: 'US' }] } : {}),
    ...(draft.language ? { communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: draft.language, display: LANGUAGES[draft.language] }], text: LANGUAGES[draft.language] }, preferred: true }] } : {}),
  };
}

/**
 * The whole registration as ONE transaction Bundle: the Patient, guarantor and emergency
 * contact, the privacy-notice acknowledgement, the ID scan and the insurance commit together or
 * not at all, pointing at each other by `urn:uuid:` until the server gives them ids.
 */
export function registrationBundle(draft: RegistrationDraft, coverages: readonly CoverageDraft[], now: Date, newId: () => string = () => crypto.randomUUID()): Bundle {
  const patientUrl = `urn:uuid:${newId()}`;
  const entries: BundleEntry[] = [];
  const post = (fullUrl: string, resource: BundleEntry['resource']) => entries.push({ fullUrl, resource, request: { method: 'POST', url: resource!.resourceType } });
  let patient = patientFrom(draft);
  if (draft.idScan) {
    const binaryUrl = `urn:uuid:${newId()}`;
    post(binaryUrl, { resourceType: 'Binary', contentType: draft.idScan.contentType, data: draft.idScan.data, securityContext: { reference: patientUrl } } satisfies Binary);
    patient = { ...patient, photo: [{ contentType: draft.idScan.contentType, url: binaryUrl, title: draft.idScan.title, creation: now.toISOString() }] };
  }
  entries.unshift({ fullUrl: patientUrl, resource: patient, request: { method: 'POST', url: 'Patient' } });
  const contacts: [ContactDraft, string, string][] = [
    [draft.guarantor, 'guarantor', 'Guarantor'],
    [draft.emergencyContact, 'C', 'Emergency contact'],
  ];
  let guarantorUrl: string | undefined;
  for (const [contact, role, label] of contacts) {
    if (!contact.name.trim()) continue;
    const url = `urn:uuid:${newId()}`;
    if (role === 'guarantor') guarantorUrl = url;
    post(url, relatedPerson(patientUrl, contact, role, label));
  }
  if (draft.hipaaAcknowledged) post(`urn:uuid:${newId()}`, privacyNoticeConsent(patientUrl, now));
  for (const coverage of coverages) for (const entry of coverageEntries(coverage, patientUrl, newId, guarantorUrl)) entries.push(entry);
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

function relatedPerson(patient: string, contact: ContactDraft, role: string, label: string): RelatedPerson {
  const [given, ...family] = contact.name.trim().split(/\s+/).reverse();
  return {
    resourceType: 'RelatedPerson',
    active: true,
    patient: { reference: patient },
    relationship: [
      { coding: [{ system: role === 'guarantor' ? 'http://terminology.hl7.org/CodeSystem/v3-RoleClass' : CONTACT_ROLE, code: role === 'guarantor' ? 'GUAR' : 'C', display: label }], text: label },
      ...(contact.relationship ? [{ coding: [{ system: ROLE_CODE, code: contact.relationship }] }] : []),
    ],
    name: [{ text: contact.name.trim(), family: family.reverse().join(' ') || undefined, given: given ? [given] : undefined }],
    ...(contact.phone.trim() ? { telecom: [{ system: 'phone', value: contact.phone.trim() }] } : {}),
  };
}

/** HIPAA §164.520(c)(2)(ii): a good-faith written acknowledgement of the notice of privacy practices. */
function privacyNoticeConsent(patient: string, now: Date): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }], text: 'Acknowledgement of the notice of privacy practices (HIPAA)' }],
    patient: { reference: patient },
    dateTime: now.toISOString(),
    policy: [{ authority: 'https://www.hhs.gov', uri: 'https://www.hhs.gov/hipaa/for-professionals/privacy/guidance/privacy-practices-for-protected-health-information/index.html' }],
    provision: { type: 'permit' },
  };
}
