/**
 * Idle auto-logoff: the server ends a session unused for `idleMinutes`; the app signs out on
 * the same clock of the person's own activity, and warns shortly before so they can stay.
 */
export type IdlePhase = { readonly phase: 'active' } | { readonly phase: 'warning'; readonly secondsLeft: number } | { readonly phase: 'expired' };

/** The warning shows one minute before, or a quarter of the idle time when that is shorter. */
export function warningLeadMs(idleMinutes: number): number {
  return Math.min(60_000, (idleMinutes * 60_000) / 4);
}

export function idlePhase(lastActivityMs: number, nowMs: number, idleMinutes: number): IdlePhase {
  const idleMs = idleMinutes * 60_000;
  const elapsed = nowMs - lastActivityMs;
  if (elapsed >= idleMs) return { phase: 'expired' };
  if (elapsed >= idleMs - warningLeadMs(idleMinutes)) return { phase: 'warning', secondsLeft: Math.ceil((idleMs - elapsed) / 1000) };
  return { phase: 'active' };
}
