import type { Binary, BundleEntry, Coverage, DocumentReference, RelatedPerson } from '@medplum/fhirtypes';

/** An insurance card as the clerk types it. */
export interface CoverageDraft {
  /** The payer: an Organization id (one with a payer id identifier). */
  readonly payer: string;
  readonly memberId: string;
  readonly groupNumber: string;
  /** self, spouse, child, parent or other (HL7 subscriber-relationship). */
  readonly relationship: string;
  /** The subscriber's name when the patient is not the subscriber. */
  readonly subscriberName: string;
  /** 1 primary, 2 secondary, 3 tertiary. */
  readonly order: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  /** Dollars as typed, e.g. "25" or "25.00". */
  readonly copay: string;
  readonly cardFront?: CardImage;
  readonly cardBack?: CardImage;
}

export interface CardImage {
  readonly contentType: string;
  readonly data: string;
  readonly title: string;
}

export const PAYER_ID_SYSTEM = 'https://unichart.dev/fhir/payer-id';
export const ORDER_LABELS: Record<string, string> = { '1': 'Primary', '2': 'Secondary', '3': 'Tertiary' };
export const RELATIONSHIPS: Record<string, string> = { self: 'Self', spouse: 'Spouse', child: 'Child', parent: 'Parent', other: 'Other' };

export const EMPTY_COVERAGE: CoverageDraft = { payer: '', memberId: '', groupNumber: '', relationship: 'self', subscriberName: '', order: '1', periodStart: '', periodEnd: '', copay: '' };

/** What must be fixed before the card is sent; a Coverage without a payer is never sent. */
export function coverageProblems(draft: CoverageDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!draft.payer) problems.payer = 'Choose the insurance payer: a coverage without a payer cannot be billed.';
  if (!draft.memberId.trim()) problems.memberId = 'Enter the member ID from the card.';
  if (draft.relationship !== 'self' && !draft.subscriberName.trim()) problems.subscriberName = 'Enter the subscriber named on the card.';
  if (draft.copay.trim() && !/^\d{1,5}(\.\d{1,2})?$/.test(draft.copay.trim())) problems.copay = 'Enter the copay in dollars, such as 25 or 25.00.';
  if (draft.periodStart && draft.periodEnd && draft.periodEnd < draft.periodStart) problems.periodEnd = 'The coverage must end after it starts.';
  return problems;
}

/** Dollars as typed, in whole cents (money is never a float in the ledger). */
export function centsOf(dollars: string): number {
  const [whole = '0', fraction = ''] = dollars.trim().split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

/**
 * Transaction entries for one card: the Coverage, a subscriber RelatedPerson when the patient is
 * not the subscriber (the guarantor is reused when there is one), and the card images as
 * Binaries gathered by one DocumentReference that names the Coverage.
 */
export function coverageEntries(draft: CoverageDraft, patient: string, newId: () => string, guarantor?: string): BundleEntry[] {
  const entries: BundleEntry[] = [];
  const coverageUrl = `urn:uuid:${newId()}`;
  let subscriber = patient;
  if (draft.relationship !== 'self') {
    subscriber = guarantor ?? `urn:uuid:${newId()}`;
    if (!guarantor) {
      const person: RelatedPerson = { resourceType: 'RelatedPerson', active: true, patient: { reference: patient }, relationship: [{ text: `Insurance subscriber (${RELATIONSHIPS[draft.relationship] ?? draft.relationship})` }], name: [{ text: draft.subscriberName.trim() }] };
      entries.push({ fullUrl: subscriber, resource: person, request: { method: 'POST', url: 'RelatedPerson' } });
    }
  }
  const coverage: Coverage = {
    resourceType: 'Coverage',
    status: 'active',
    beneficiary: { reference: patient },
    subscriber: { reference: subscriber },
    subscriberId: draft.memberId.trim(),
    identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] }, value: draft.memberId.trim() }],
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: draft.relationship }] },
    payor: [{ reference: `Organization/${draft.payer}` }],
    order: Number(draft.order) || 1,
    ...(draft.periodStart || draft.periodEnd ? { period: { start: draft.periodStart || undefined, end: draft.periodEnd || undefined } } : {}),
    ...(draft.groupNumber.trim() ? { class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' }] }, value: draft.groupNumber.trim() }] } : {}),
    ...(draft.copay.trim()
      ? { costToBeneficiary: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-copay-type', code: 'copay', display: 'Copay' }] }, valueMoney: { value: centsOf(draft.copay) / 100, currency: 'USD' } }] }
      : {}),
  };
  entries.push({ fullUrl: coverageUrl, resource: coverage, request: { method: 'POST', url: 'Coverage' } });
  const images = [draft.cardFront, draft.cardBack].filter((image): image is CardImage => Boolean(image));
  if (images.length) {
    const binaries = images.map((image) => ({ url: `urn:uuid:${newId()}`, image }));
    for (const { url, image } of binaries) {
      entries.push({ fullUrl: url, resource: { resourceType: 'Binary', contentType: image.contentType, data: image.data, securityContext: { reference: patient } } satisfies Binary, request: { method: 'POST', url: 'Binary' } });
    }
    const card: DocumentReference = {
      resourceType: 'DocumentReference',
      status: 'current',
      type: { coding: [{ system: 'http://loinc.org', code: '64290-0', display: 'Health insurance card' }], text: 'Insurance card' },
      subject: { reference: patient },
      date: new Date().toISOString(),
      content: binaries.map(({ url, image }) => ({ attachment: { contentType: image.contentType, url, title: image.title } })),
      context: { related: [{ reference: coverageUrl }] },
    };
    entries.push({ fullUrl: `urn:uuid:${newId()}`, resource: card, request: { method: 'POST', url: 'DocumentReference' } });
  }
  return entries;
}
