import { describe, expect, it } from 'vitest';
import { openedDuring, orderForReview, reviewNoteProblem, unreviewedCount, type EmergencyAccess } from './emergency-access-rows.js';

const grant = (id: string, startedAt: string, reviewed = false): EmergencyAccess => ({
  id,
  patient: 'Patient/p1',
  reason: 'Unconscious in the waiting room',
  startedAt,
  expiresAt: startedAt,
  account: { email: 'dr@clinic.test', displayName: 'Dr Who', role: 'physician' },
  accesses: [],
  ...(reviewed ? { review: { reviewedAt: startedAt, note: 'Confirmed', reviewer: { email: 'admin@clinic.test', displayName: 'Admin' } } } : {}),
});

describe('emergency access awaiting review', () => {
  const entries = [grant('new-reviewed', '2026-11-20T10:00:00Z', true), grant('new-waiting', '2026-11-19T10:00:00Z'), grant('old-reviewed', '2026-11-01T10:00:00Z', true), grant('old-waiting', '2026-11-02T10:00:00Z')];

  it('lists the waiting first, the longest waiting at the top, then the reviewed newest first', () => {
    expect(orderForReview(entries).map((e) => e.id)).toEqual(['old-waiting', 'new-waiting', 'new-reviewed', 'old-reviewed']);
  });

  it('counts only those without a review', () => {
    expect(unreviewedCount(entries)).toBe(2);
    expect(unreviewedCount([])).toBe(0);
  });

  it('names each opened resource once, and a search without results by its query', () => {
    const entry = {
      ...grant('g', '2026-11-20T10:00:00Z'),
      accesses: [
        { recorded: '1', kind: 'read', what: ['Patient/p1'] },
        { recorded: '2', kind: 'search', what: ['Observation/o1', 'Patient/p1'], query: 'Observation?subject=Patient/p1' },
        { recorded: '3', kind: 'search', what: [], query: 'Condition?subject=Patient/p1' },
      ],
    };
    expect(openedDuring(entry)).toEqual(['Patient/p1', 'Observation/o1', 'Search: Condition?subject=Patient/p1']);
  });

  it('asks for a note of what the review found, not too long', () => {
    expect(reviewNoteProblem('   ')).toMatch(/Write what the review found/);
    expect(reviewNoteProblem('x'.repeat(2001))).toMatch(/2000 characters/);
    expect(reviewNoteProblem('Confirmed with the ward')).toBeUndefined();
  });
});
