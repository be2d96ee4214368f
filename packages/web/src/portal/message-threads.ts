import type { Communication } from '@medplum/fhirtypes';

/**
 * How portal messages are addressed (written down here and in the README):
 * - every portal message carries the category `portal-message` below and `subject` = the Patient;
 * - a patient's message: `sender` = their Patient, `recipient` = the practice (a display-only
 *   reference: the practice's shared inbox, read by the front desk and clinicians);
 * - a reply: `sender` = the staff member's Practitioner (or their name), `recipient` = the Patient,
 *   `inResponseTo` = the message it answers. A thread is a first message and every reply under it.
 */
export const PORTAL_MESSAGE = { system: 'https://unichart.dev/fhir/CodeSystem/communication-category', code: 'portal-message' } as const;
export const PORTAL_MESSAGE_TOKEN = `${PORTAL_MESSAGE.system}|${PORTAL_MESSAGE.code}`;

export interface MessageThread {
  readonly id: string;
  readonly topic: string;
  readonly patient: string | undefined;
  /** Oldest first. */
  readonly messages: readonly Communication[];
  readonly lastSent: string;
  /** The last word was the patient's: the practice owes an answer. */
  readonly awaitingPractice: boolean;
}

export function isFromPatient(message: Communication): boolean {
  return Boolean(message.sender?.reference?.startsWith('Patient/'));
}

export function messageText(message: Communication): string {
  return (message.payload ?? []).map((p) => p.contentString).filter(Boolean).join('\n');
}

/** Threads, most recently active first. A reply whose first message is not at hand starts its own thread. */
export function messageThreads(messages: readonly Communication[]): MessageThread[] {
  const byId = new Map(messages.filter((m) => m.id).map((m) => [m.id!, m]));
  const rootOf = (message: Communication): Communication => {
    let current = message;
    const seen = new Set<string>();
    for (;;) {
      const parentId = current.inResponseTo?.[0]?.reference?.split('/')[1];
      const parent = parentId ? byId.get(parentId) : undefined;
      if (!parent || seen.has(parentId!)) return current;
      seen.add(parentId!);
      current = parent;
    }
  };
  const threads = new Map<string, Communication[]>();
  for (const message of messages) {
    const root = rootOf(message);
    threads.set(root.id ?? '', [...(threads.get(root.id ?? '') ?? []), message]);
  }
  return [...threads]
    .map(([id, list]) => {
      const sorted = list.sort((a, b) => sentOf(a).localeCompare(sentOf(b)));
      const root = sorted[0]!;
      const last = sorted[sorted.length - 1]!;
      return { id, topic: root.topic?.text ?? 'Message', patient: root.subject?.reference, messages: sorted, lastSent: sentOf(last), awaitingPractice: isFromPatient(last) };
    })
    .sort((a, b) => b.lastSent.localeCompare(a.lastSent));
}

function sentOf(message: Communication): string {
  return message.sent ?? message.meta?.lastUpdated ?? '';
}

/** A new message from the patient to the practice. */
export function patientMessage(patientId: string, practiceName: string, topic: string, text: string, now: Date): Communication {
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ ...PORTAL_MESSAGE, display: 'Portal message' }] }],
    subject: { reference: `Patient/${patientId}` },
    sender: { reference: `Patient/${patientId}` },
    recipient: [{ display: practiceName }],
    topic: { text: topic },
    sent: now.toISOString(),
    payload: [{ contentString: text }],
  };
}

/** A reply in a thread, from the patient or from the practice. */
export function replyTo(thread: MessageThread, from: { reference?: string; display: string }, text: string, now: Date): Communication {
  const last = thread.messages[thread.messages.length - 1]!;
  const patient = thread.patient ?? '';
  const fromPatient = from.reference === patient;
  const practiceSide = [...thread.messages].reverse().find((m) => !isFromPatient(m))?.sender;
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [{ coding: [{ ...PORTAL_MESSAGE, display: 'Portal message' }] }],
    subject: { reference: patient },
    sender: from.reference ? { reference: from.reference, display: from.display } : { display: from.display },
    // The patient answers whoever last wrote from the practice (or the practice's inbox); staff answer the patient.
    recipient: fromPatient ? [practiceSide ?? thread.messages[0]?.recipient?.[0] ?? { display: 'The practice' }] : [{ reference: patient }],
    inResponseTo: [{ reference: `Communication/${last.id}` }],
    topic: { text: thread.topic },
    sent: now.toISOString(),
    payload: [{ contentString: text }],
  };
}
