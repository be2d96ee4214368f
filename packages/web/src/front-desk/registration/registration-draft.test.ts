import type { Coverage, DocumentReference, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { EMPTY_COVERAGE, coverageProblems } from '../insurance/coverage-draft.js';
import { EMPTY_CONTACT, REMINDER_PREFERENCE_URL, registrationBundle, registrationProblems, type RegistrationDraft } from './registration-draft.js';

const NOW = new Date('2030-03-04T15:00:00Z');
const draft: RegistrationDraft = {
  legalGiven: 'Katherine Ann',
  legalFamily: 'Schmidt',
  preferredName: 'Kate',
  birthDate: '1984-06-12',
  sex: 'female',
  birthSex: 'F',
  genderIdentity: '446141000124107',
  race: '2106-3',
  ethnicity: '2186-5',
  language: 'en',
  line: '1 Main St',
  city: 'Springfield',
  state: 'IL',
  postalCode: '62701',
  homePhone: '',
  mobilePhone: '555-010-7788',
  email: 'kate@example.test',
  reminderPreference: 'sms',
  guarantor: { name: 'Hans Schmidt', relationship: 'SPS', phone: '555-010-1111' },
  emergencyContact: { name: 'Eva Schmidt', relationship: 'CHILD', phone: '555-010-2222' },
  hipaaAcknowledged: true,
  idScan: { contentType: 'image/png', data: 'iVBORw0KGgo=', title: 'Driver licence' },
};
let n = 0;
const ids = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

describe('registration in one transaction', () => {
  it('writes the patient, guarantor, emergency contact, privacy acknowledgement, ID scan and insurance together, linked by urn:uuid', () => {
    const coverage = { ...EMPTY_COVERAGE, payer: 'acme', memberId: 'XJ123', groupNumber: 'G-9', relationship: 'spouse', subscriberName: 'Hans Schmidt', copay: '25', periodStart: '2030-01-01', cardFront: { contentType: 'image/png', data: 'AA==', title: 'Card front' } };
    const bundle = registrationBundle(draft, [coverage], NOW, ids);
    expect(bundle.type).toBe('transaction');
    const types = bundle.entry!.map((e) => e.resource!.resourceType);
    expect(types).toEqual(['Patient', 'Binary', 'RelatedPerson', 'RelatedPerson', 'Consent', 'Coverage', 'Binary', 'DocumentReference']);
    const patientUrl = bundle.entry![0]!.fullUrl!;
    const patient = bundle.entry![0]!.resource as Patient;
    expect(patient.name).toEqual([
      { use: 'official', family: 'Schmidt', given: ['Katherine', 'Ann'] },
      { use: 'usual', family: 'Schmidt', given: ['Kate'] },
    ]);
    expect(patient.extension?.find((e) => e.url === REMINDER_PREFERENCE_URL)?.valueCode).toBe('sms');
    expect(patient.photo?.[0]?.url).toBe(bundle.entry![1]!.fullUrl);
    const coverageResource = bundle.entry![5]!.resource as Coverage;
    expect(coverageResource.beneficiary.reference).toBe(patientUrl);
    // The guarantor is the subscriber on the spouse's card: no second person is made up.
    expect(coverageResource.subscriber?.reference).toBe(bundle.entry![2]!.fullUrl);
    expect(coverageResource.payor).toEqual([{ reference: 'Organization/acme' }]);
    expect(coverageResource.costToBeneficiary?.[0]?.valueMoney).toEqual({ value: 25, currency: 'USD' });
    expect((bundle.entry![7]!.resource as DocumentReference).context?.related?.[0]?.reference).toBe(bundle.entry![5]!.fullUrl);
  });

  it('refuses impossible or missing facts before sending', () => {
    const problems = registrationProblems({ ...draft, birthDate: '1984-02-30', hipaaAcknowledged: false, reminderPreference: 'email', email: '', guarantor: { ...EMPTY_CONTACT, name: 'Someone' } }, NOW);
    expect(Object.keys(problems).sort()).toEqual(['birthDate', 'email', 'guarantor.relationship', 'hipaaAcknowledged']);
    expect(registrationProblems(draft, NOW)).toEqual({});
  });

  it('a coverage without a payer is refused by the form', () => {
    expect(coverageProblems({ ...EMPTY_COVERAGE, memberId: 'X1' }).payer).toMatch(/without a payer/);
    expect(coverageProblems({ ...EMPTY_COVERAGE, memberId: 'X1', payer: 'acme', copay: '2.505' }).copay).toBeDefined();
  });
});
