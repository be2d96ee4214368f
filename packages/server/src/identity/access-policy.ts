/**
 * Roles are data: each holds an access policy listing which resource types it may touch, with
 * which interactions, and whether only within the signed-in patient's own compartment.
 * Anything not granted is denied.
 */
export const INTERACTIONS = ['read', 'search', 'history', 'create', 'update', 'delete'] as const;
export type Interaction = (typeof INTERACTIONS)[number];

export interface AccessRule {
  /** Resource types, or "*" for all. */
  readonly resourceTypes: readonly string[];
  readonly interactions: readonly Interaction[];
  /** Only resources in the Patient compartment of the user's own Patient record. */
  readonly ownCompartment?: boolean;
  /**
   * Plain REST writes only of resources in one of these statuses (a patient's appointment
   * request: "proposed"); anything else goes through the type's operations (Appointment/$book,
   * $reschedule, $cancel), which apply the practice's rules. No plain patch or delete.
   */
  readonly directStatuses?: readonly string[];
}

export interface AccessPolicy {
  readonly rules: readonly AccessRule[];
  /** May manage accounts, roles and practice settings. */
  readonly administration?: boolean;
  /** Signs in only with a second factor once the practice requires MFA (administrators, prescribers). */
  readonly requiresMfa?: boolean;
  /**
   * Reaches patients only through a care relation (an Encounter, Appointment or CareTeam naming
   * the person) or emergency access, once the practice turns the care-team restriction on.
   */
  readonly careTeamOnly?: boolean;
  /** Sees sensitive identifiers (SSN, driver's licence) in full; everyone else gets them masked. */
  readonly sensitiveIdentifiers?: boolean;
  /**
   * Reaches patient data only where a patient's record was shared with the person (an active
   * Consent naming their Practitioner or Organization): outside providers.
   */
  readonly sharedOnly?: boolean;
}

const POLICY_FLAGS = ['administration', 'requiresMfa', 'careTeamOnly', 'sensitiveIdentifiers', 'sharedOnly'] as const;

/** Types a wildcard does not reach: the audit trail must be granted by name. */
const NAMED_ONLY = new Set(['AuditEvent']);

/** The rule granting an interaction on a type, if any (deny by default). */
export function grantingRule(policy: AccessPolicy, resourceType: string, interaction: Interaction): AccessRule | undefined {
  const matches = policy.rules.filter(
    (rule) =>
      rule.interactions.includes(interaction) &&
      (rule.resourceTypes.includes(resourceType) || (rule.resourceTypes.includes('*') && !NAMED_ONLY.has(resourceType))),
  );
  // An unrestricted grant wins over a compartment-restricted one.
  return matches.find((rule) => !rule.ownCompartment) ?? matches[0];
}

export function isAccessPolicy(value: unknown): value is AccessPolicy {
  const policy = value as AccessPolicy;
  return (
    Array.isArray(policy?.rules) &&
    policy.rules.every(
      (rule) =>
        Array.isArray(rule.resourceTypes) &&
        rule.resourceTypes.every((t: unknown) => typeof t === 'string') &&
        Array.isArray(rule.interactions) &&
        rule.interactions.every((i: unknown) => (INTERACTIONS as readonly unknown[]).includes(i)) &&
        (rule.ownCompartment === undefined || typeof rule.ownCompartment === 'boolean') &&
        (rule.directStatuses === undefined || (Array.isArray(rule.directStatuses) && rule.directStatuses.every((s: unknown) => typeof s === 'string'))),
    ) &&
    POLICY_FLAGS.every((flag) => policy[flag] === undefined || typeof policy[flag] === 'boolean')
  );
}

const ALL: readonly Interaction[] = INTERACTIONS;
const READ: readonly Interaction[] = ['read', 'search', 'history'];
const WRITE: readonly Interaction[] = ['read', 'search', 'history', 'create', 'update'];

const SCHEDULING = ['Schedule', 'Slot', 'Appointment', 'AppointmentResponse', 'Location', 'HealthcareService'];
const REGISTRATION = ['Patient', 'RelatedPerson', 'Coverage', 'Consent', 'Binary', 'DocumentReference', 'Communication', 'CommunicationRequest', 'Task', 'Person'];
const DIRECTORY = ['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService', 'Endpoint'];
const BILLING = ['Account', 'ChargeItem', 'Claim', 'ClaimResponse', 'ExplanationOfBenefit', 'Invoice', 'PaymentNotice', 'PaymentReconciliation', 'CoverageEligibilityRequest', 'CoverageEligibilityResponse'];
const CLINICAL_SUMMARY = ['Encounter', 'Condition', 'Procedure', 'DocumentReference', 'Composition', 'ServiceRequest'];
const PORTAL_READ = [
  'Patient', 'Observation', 'Condition', 'AllergyIntolerance', 'MedicationRequest', 'MedicationStatement', 'Immunization', 'Procedure',
  'DiagnosticReport', 'Encounter', 'Appointment', 'DocumentReference', 'CarePlan', 'Goal', 'Coverage', 'Communication', 'QuestionnaireResponse',
];

/** What an outside provider may be shared: the clinical record, not billing or messages. */
const SHAREABLE = [
  'Patient', 'Observation', 'Condition', 'AllergyIntolerance', 'MedicationRequest', 'MedicationStatement', 'Immunization', 'Procedure',
  'DiagnosticReport', 'Encounter', 'DocumentReference', 'CarePlan', 'CareTeam', 'Goal', 'ServiceRequest', 'Composition',
];

export const OUTSIDE_PROVIDER_ROLE = {
  code: 'outside-provider',
  name: 'Outside provider',
  policy: { sharedOnly: true, rules: [{ resourceTypes: SHAREABLE, interactions: ['read', 'search'] }, { resourceTypes: DIRECTORY, interactions: READ }] },
} as const satisfies { code: string; name: string; policy: AccessPolicy };

/** The roles every practice starts with; an administrator may edit them or add others. */
export const DEFAULT_ROLES: readonly { code: string; name: string; policy: AccessPolicy }[] = [
  {
    code: 'administrator',
    name: 'Administrator',
    policy: { administration: true, requiresMfa: true, sensitiveIdentifiers: true, rules: [{ resourceTypes: ['*'], interactions: ALL }, { resourceTypes: ['AuditEvent'], interactions: ['read', 'search'] }] },
  },
  {
    code: 'physician',
    name: 'Physician',
    policy: { requiresMfa: true, careTeamOnly: true, sensitiveIdentifiers: true, rules: [{ resourceTypes: ['*'], interactions: WRITE }, { resourceTypes: ['*'], interactions: ['delete'] }] },
  },
  { code: 'nurse', name: 'Nurse', policy: { careTeamOnly: true, rules: [{ resourceTypes: ['*'], interactions: WRITE }] } },
  {
    code: 'front-desk',
    name: 'Front desk',
    // Registration collects identity documents, so the front desk sees them in full. Copays taken at
    // check-in are PaymentReconciliations: the desk finds and reprints them. The practice's appointment
    // types are a CodeSystem the desk books from but only an administrator changes.
    policy: {
      sensitiveIdentifiers: true,
      rules: [{ resourceTypes: [...REGISTRATION, ...SCHEDULING, 'Encounter'], interactions: WRITE }, { resourceTypes: [...DIRECTORY, 'PaymentReconciliation', 'CodeSystem'], interactions: READ }],
    },
  },
  {
    code: 'biller',
    name: 'Biller',
    policy: {
      rules: [
        { resourceTypes: BILLING, interactions: WRITE },
        { resourceTypes: ['Patient', 'Coverage', ...CLINICAL_SUMMARY, ...DIRECTORY], interactions: READ },
      ],
    },
  },
  {
    code: 'patient',
    name: 'Patient',
    policy: {
      rules: [
        { resourceTypes: PORTAL_READ, interactions: ['read', 'search'], ownCompartment: true },
        { resourceTypes: ['Communication', 'QuestionnaireResponse'], interactions: ['create'], ownCompartment: true },
        // Booking, moving and cancelling their own appointments (Appointment/$book, $reschedule, $cancel).
        { resourceTypes: ['Appointment'], interactions: ['create', 'update'], ownCompartment: true, directStatuses: ['proposed'] },
        // Accounting of disclosures: who looked at my record.
        { resourceTypes: ['AuditEvent'], interactions: ['read', 'search'], ownCompartment: true },
        { resourceTypes: [...DIRECTORY, 'Schedule', 'Slot'], interactions: ['read', 'search'] },
      ],
    },
  },
  OUTSIDE_PROVIDER_ROLE,
];
