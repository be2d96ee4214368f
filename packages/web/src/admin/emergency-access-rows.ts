/** One "break the glass" grant as GET /admin/emergency-access reports it. */
export interface EmergencyAccess {
  readonly id: string;
  readonly patient: string;
  readonly reason: string;
  readonly startedAt: string;
  readonly expiresAt: string;
  readonly account: { readonly email: string; readonly displayName: string; readonly role: string };
  readonly accesses: readonly { readonly recorded: string; readonly kind: string; readonly what: readonly string[]; readonly query?: string }[];
  readonly review?: { readonly reviewedAt: string; readonly note: string; readonly reviewer: { readonly email: string; readonly displayName: string } };
}

/** Waiting for review first (oldest waiting longest at the top), then the reviewed, newest first. */
export function orderForReview(entries: readonly EmergencyAccess[]): EmergencyAccess[] {
  const waiting = entries.filter((e) => !e.review).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const reviewed = entries.filter((e) => e.review).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return [...waiting, ...reviewed];
}

export function unreviewedCount(entries: readonly EmergencyAccess[]): number {
  return entries.filter((e) => !e.review).length;
}

/** What was opened under the grant, each resource once, in the order first opened; searches by their query. */
export function openedDuring(entry: EmergencyAccess): string[] {
  const opened = new Set<string>();
  for (const access of entry.accesses) {
    for (const what of access.what) opened.add(what);
    if (access.what.length === 0 && access.query) opened.add(`Search: ${access.query}`);
  }
  return [...opened];
}

export const MAX_REVIEW_NOTE = 2000;

export function reviewNoteProblem(note: string): string | undefined {
  if (!note.trim()) return 'Write what the review found, e.g. who confirmed the emergency';
  if (note.trim().length > MAX_REVIEW_NOTE) return `Keep the note to ${MAX_REVIEW_NOTE} characters`;
  return undefined;
}
