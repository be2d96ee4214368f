import { createHash, randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';
import type { AuditEvent } from '@medplum/fhirtypes';

/** Who did something, as the audit trail names them. */
export interface AuditAgent {
  readonly accountId?: string;
  /** `Practitioner/…` or `Patient/…` when the account is linked to one. */
  readonly who?: string;
  readonly name: string;
  readonly role?: string;
  /** The app (OAuth client) acting for the person, or on its own for a backend service. */
  readonly app?: { readonly clientId: string; readonly name: string };
}

/** AuditEvent.agent.who.identifier.system naming the app (OAuth client id) that made a request. */
export const OAUTH_CLIENT_SYSTEM = 'https://unichart.dev/fhir/sid/oauth-client';

export const SYSTEM_AGENT: AuditAgent = { name: 'Unichart (system)', role: 'system' };

export type AuditKind =
  | 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'patch' | 'delete'
  | 'login' | 'login-failed' | 'logout' | 'access-denied' | 'emergency-access' | 'export' | 'print'
  | 'account-create' | 'account-deactivate' | 'account-reactivate' | 'mfa-reset' | 'role-update' | 'sso-update'
  /** An administrator changed the practice's security settings (MFA required, care-team restriction, ...). */
  | 'setting-update'
  /** A person allowed an app (OAuth client) access, with the scopes and patient it got. */
  | 'app-authorized'
  /** Staff invited a patient to the portal; the patient chose the password of the invited account. */
  | 'portal-invite' | 'password-set'
  /** An administrator invited a staff member by link; reviewed an emergency access; registered or disabled an app. */
  | 'staff-invite' | 'emergency-access-review' | 'app-register' | 'app-disable';

export interface AuditInput {
  readonly kind: AuditKind;
  readonly agent: AuditAgent;
  readonly outcome: 'success' | 'denied' | 'failed';
  /** `Type/id` of the main resource, when there is one. */
  readonly entity?: string;
  /** For searches: the query as sent. */
  readonly query?: string;
  readonly sourceAddress?: string;
  readonly description?: string;
  /** Patients the event is about, when known here (writes); reads resolve them in SQL. */
  readonly patients?: readonly string[];
  /** Other resources involved (`Type/id`), e.g. what a search returned. */
  readonly entities?: readonly string[];
  readonly reason?: string;
}

/** One row of the audit trail, with the FHIR AuditEvent it stores. */
export interface AuditRecord {
  readonly id: string;
  readonly recorded: string;
  readonly type: string;
  readonly action: string;
  readonly outcome: string;
  readonly agentUser: string | null;
  readonly agentWho: string | null;
  readonly entity: string | null;
  readonly sourceAddress: string | null;
  readonly patients: readonly string[];
  /** The AuditEvent without the resources in `touched`: they are stored once, beside it (renderAuditEvent). */
  readonly content: string;
  /** `Type/id` of what a read or search returned, all of it, separated by spaces; the patients they concern are found when sealed. */
  readonly touched: string | null;
  /** What the hash chain seals of this entry: its content and what it touched (entryHash). */
  readonly entryHash: string;
}

/** How many of the resources an entry touched its AuditEvent names (all are kept on the row). */
export const NAMED_TOUCHED = 50;

/**
 * The digest the audit chain seals for one entry. Entries written before it existed have none
 * and are sealed by their content alone (audit-seal.ts).
 */
export function entryHash(content: string, touched: string | null): string {
  return createHash('sha256').update(`${content}\n${touched ?? ''}`).digest('hex');
}

const TOUCHED_ENTITY_TYPE = { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' };

/**
 * The AuditEvent as served: the stored content plus the first NAMED_TOUCHED resources the entry
 * touched. A read's or search's entry keeps those references once, in `touched`, instead of a
 * second time as JSON: that halves what every answered request writes. Entries written before
 * (no entry hash) already hold them in their content.
 */
export function renderAuditEvent(content: string, touched: readonly string[] | null, hasEntryHash: boolean): string {
  if (!hasEntryHash || !touched?.length) return content;
  const event = JSON.parse(content) as AuditEvent;
  return nameTouched(event, touched) ? JSON.stringify(event) : content;
}

/** renderAuditEvent as an object, for code that reads the entry rather than sends it. */
export function servedAuditEvent(content: string, touched: readonly string[] | null, hasEntryHash: boolean): AuditEvent {
  const event = JSON.parse(content) as AuditEvent;
  if (hasEntryHash && touched?.length) nameTouched(event, touched);
  return event;
}

/** Adds the touched resources the event does not name yet, up to NAMED_TOUCHED; false when there were none. */
function nameTouched(event: AuditEvent, touched: readonly string[]): boolean {
  const named = new Set((event.entity ?? []).map((e) => e.what?.reference));
  const added = touched.filter((reference) => !named.has(reference)).slice(0, NAMED_TOUCHED);
  if (added.length === 0) return false;
  event.entity = [...(event.entity ?? []), ...added.map((reference) => ({ what: { reference }, type: TOUCHED_ENTITY_TYPE }))];
  return true;
}

const REST_KINDS = new Set<AuditKind>(['read', 'vread', 'search', 'history', 'create', 'update', 'patch', 'delete']);
// FHIR AuditEvent.action: C create, R read/view/print, U update, D delete, E execute.
const ACTION: Record<AuditKind, AuditEvent['action']> = {
  read: 'R', vread: 'R', search: 'E', history: 'R', create: 'C', update: 'U', patch: 'U', delete: 'D',
  login: 'E', 'login-failed': 'E', logout: 'E', 'access-denied': 'E', 'emergency-access': 'R', export: 'R', print: 'R',
  'account-create': 'C', 'account-deactivate': 'U', 'account-reactivate': 'U', 'mfa-reset': 'U', 'role-update': 'U', 'sso-update': 'U', 'setting-update': 'U', 'app-authorized': 'E',
  'portal-invite': 'C', 'password-set': 'U',
  'staff-invite': 'C', 'emergency-access-review': 'U', 'app-register': 'C', 'app-disable': 'U',
};
/** Who may do what changed: DICOM's "Security Roles Changed" / "User Security Attributes Changed" (PS3.16 CID 400). */
const SECURITY_CHANGES: Partial<Record<AuditKind, { code: string; display: string }>> = {
  'role-update': { code: '110136', display: 'Security Roles Changed' },
  'account-create': { code: '110137', display: 'User Security Attributes Changed' },
  'account-deactivate': { code: '110137', display: 'User Security Attributes Changed' },
  'account-reactivate': { code: '110137', display: 'User Security Attributes Changed' },
  'mfa-reset': { code: '110137', display: 'User Security Attributes Changed' },
  'sso-update': { code: '110137', display: 'User Security Attributes Changed' },
  'portal-invite': { code: '110137', display: 'User Security Attributes Changed' },
  'password-set': { code: '110137', display: 'User Security Attributes Changed' },
  'staff-invite': { code: '110137', display: 'User Security Attributes Changed' },
  'app-register': { code: '110129', display: 'Security Configuration' },
  'app-disable': { code: '110129', display: 'Security Configuration' },
  'setting-update': { code: '110129', display: 'Security Configuration' },
};
const OUTCOME = { success: '0', denied: '4', failed: '8' } as const;

/**
 * Random bytes for audit ids, drawn from the system in bulk: one call per 256 ids instead of one
 * per read (every read and search writes an entry).
 */
const randomPool = Buffer.alloc(16 * 256);
let randomOffset = randomPool.length;

/** A UUIDv7: time-ordered ids append to the primary key's index instead of landing all over it (millions of rows). */
function timeOrderedUuid(msecs: number): string {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const random = randomPool.subarray(randomOffset, (randomOffset += 16));
  return v7({ random, msecs });
}

export function buildAuditRecord(input: AuditInput, now: Date = new Date(), touched: string | null = null): AuditRecord {
  const id = timeOrderedUuid(now.getTime());
  const recorded = now.toISOString();
  const rest = REST_KINDS.has(input.kind);
  const securityChange = SECURITY_CHANGES[input.kind];
  const type = rest
    ? { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' }
    : securityChange
      ? { system: 'http://dicom.nema.org/resources/ontology/DCM', ...securityChange }
      : input.kind.startsWith('log') || input.kind === 'app-authorized'
      ? { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' }
      : { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113', display: 'Security Alert' };
  const subtype = rest
    ? { system: 'http://hl7.org/fhir/restful-interaction', code: input.kind }
    : { system: 'https://unichart.dev/fhir/CodeSystem/audit-subtype', code: input.kind };
  const entities: NonNullable<AuditEvent['entity']> = [];
  if (input.entity) entities.push({ what: { reference: input.entity }, type: TOUCHED_ENTITY_TYPE });
  if (input.query) entities.push({ query: Buffer.from(input.query).toString('base64'), description: input.query });
  for (const reference of input.entities ?? []) {
    if (reference !== input.entity) entities.push({ what: { reference }, type: TOUCHED_ENTITY_TYPE });
  }
  for (const patient of input.patients ?? []) {
    if (`Patient/${patient}` === input.entity) continue;
    entities.push({ what: { reference: `Patient/${patient}` }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' } });
  }
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id,
    type,
    subtype: [subtype],
    action: ACTION[input.kind],
    recorded,
    outcome: OUTCOME[input.outcome],
    ...(input.description ? { outcomeDesc: input.description } : {}),
    ...(input.reason ? { purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'ETREAT', display: 'Emergency treatment' }], text: input.reason }] } : {}),
    agent: [
      {
        ...(input.agent.who ? { who: { reference: input.agent.who, display: input.agent.name } } : { who: { display: input.agent.name } }),
        ...(input.agent.accountId ? { altId: input.agent.accountId } : {}),
        name: input.agent.name,
        requestor: true,
        ...(input.agent.role ? { role: [{ text: input.agent.role }] } : {}),
        ...(input.sourceAddress ? { network: { address: input.sourceAddress, type: '2' as const } } : {}),
      },
      ...(input.agent.app
        ? [
            {
              type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110150', display: 'Application' }] },
              who: { identifier: { system: OAUTH_CLIENT_SYSTEM, value: input.agent.app.clientId }, display: input.agent.app.name },
              name: input.agent.app.name,
              requestor: false,
            },
          ]
        : []),
    ],
    source: { observer: { display: 'Unichart' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    ...(entities.length ? { entity: entities } : {}),
  };
  const content = JSON.stringify(event);
  return {
    id,
    recorded,
    type: input.kind,
    action: ACTION[input.kind]!,
    outcome: OUTCOME[input.outcome],
    agentUser: input.agent.accountId ?? null,
    agentWho: input.agent.who ?? null,
    entity: input.entity ?? (input.query ? input.query.split('?')[0]! : null),
    sourceAddress: input.sourceAddress ?? null,
    patients: [...new Set(input.patients ?? [])],
    content,
    touched,
    entryHash: entryHash(content, touched),
  };
}
