import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { messageThreads, patientMessage, replyTo } from './message-threads.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 9, minutes));

describe('portal message threads', () => {
  const first = { ...patientMessage('p1', 'Main Street Clinic', 'Refill', 'Could I get a refill?', at(0)), id: 'm1' };
  const [thread] = messageThreads([first]);
  const answer = { ...replyTo(thread!, { reference: 'Practitioner/d1', display: 'Dr Osei' }, 'Sent to your pharmacy.', at(5)), id: 'm2' };
  const thanks = { ...replyTo(messageThreads([first, answer])[0]!, { reference: 'Patient/p1', display: 'Imani Park' }, 'Thank you!', at(9)), id: 'm3' };
  const other: Communication = { ...patientMessage('p1', 'Main Street Clinic', 'Parking', 'Where do I park?', at(7)), id: 'm4' };

  it('addresses a new message from the patient to the practice', () => {
    expect(first.sender).toEqual({ reference: 'Patient/p1' });
    expect(first.recipient).toEqual([{ display: 'Main Street Clinic' }]);
  });

  it('addresses replies: staff to the patient, the patient back to whoever answered', () => {
    expect(answer.recipient).toEqual([{ reference: 'Patient/p1' }]);
    expect(answer.inResponseTo).toEqual([{ reference: 'Communication/m1' }]);
    expect(thanks.recipient).toEqual([{ reference: 'Practitioner/d1', display: 'Dr Osei' }]);
    expect(thanks.inResponseTo).toEqual([{ reference: 'Communication/m2' }]);
  });

  it('threads replies under their first message, most recently active thread first, and says who owes an answer', () => {
    const threads = messageThreads([thanks, other, answer, first]);
    expect(threads.map((t) => [t.topic, t.messages.map((m) => m.id), t.awaitingPractice])).toEqual([
      ['Refill', ['m1', 'm2', 'm3'], true],
      ['Parking', ['m4'], true],
    ]);
    expect(messageThreads([first, answer])[0]!.awaitingPractice).toBe(false);
  });
});
