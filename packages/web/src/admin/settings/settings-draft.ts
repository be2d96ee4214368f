/**
 * The practice settings form: what the administrator typed, checked against the server's own
 * rules (server: practice/security-settings.ts, reminders/reminder-settings-routes.ts) before sending.
 */
export interface SecuritySettings {
  readonly mfaRequired: boolean;
  readonly careTeamRestriction: boolean;
  readonly emergencyAccessMinutes: number;
  /** Absent: the server's own automatic-logoff time. */
  readonly idleMinutes?: number;
}

export interface ReminderSettings {
  readonly hoursBefore: number[];
  /** True while the practice uses the server's default lead times. */
  readonly practiceDefault: boolean;
}

export const MAX_IDLE_MINUTES = 8 * 60;
export const MAX_EMERGENCY_MINUTES = 24 * 60;
export const MAX_REMINDER_HOURS = 24 * 14;

export interface SecurityDraft {
  mfaRequired: boolean;
  careTeamRestriction: boolean;
  emergencyAccessMinutes: string;
  /** Empty: use the server's default. */
  idleMinutes: string;
}

export function securityDraftOf(settings: SecuritySettings): SecurityDraft {
  return {
    mfaRequired: settings.mfaRequired,
    careTeamRestriction: settings.careTeamRestriction,
    emergencyAccessMinutes: String(settings.emergencyAccessMinutes),
    idleMinutes: settings.idleMinutes === undefined ? '' : String(settings.idleMinutes),
  };
}

export type SecurityProblems = Partial<Record<'emergencyAccessMinutes' | 'idleMinutes', string>>;

export function securityProblems(draft: SecurityDraft): SecurityProblems {
  const problems: SecurityProblems = {};
  if (!isWholeBetween(draft.emergencyAccessMinutes, 1, MAX_EMERGENCY_MINUTES)) problems.emergencyAccessMinutes = `Enter whole minutes from 1 to ${MAX_EMERGENCY_MINUTES}`;
  if (draft.idleMinutes.trim() && !isWholeBetween(draft.idleMinutes, 1, MAX_IDLE_MINUTES)) problems.idleMinutes = `Enter whole minutes from 1 to ${MAX_IDLE_MINUTES}, or leave empty for the server default`;
  return problems;
}

/** The PUT body: null idle time returns to the server default. */
export function securityChange(draft: SecurityDraft): Record<string, unknown> {
  return {
    mfaRequired: draft.mfaRequired,
    careTeamRestriction: draft.careTeamRestriction,
    emergencyAccessMinutes: Number(draft.emergencyAccessMinutes),
    idleMinutes: draft.idleMinutes.trim() ? Number(draft.idleMinutes) : null,
  };
}

/** "48, 2" → [48, 2]; a problem in words when the list is not acceptable. */
export function parseLeadTimes(text: string): { hoursBefore: number[] } | { problem: string } {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  if (parts.some((p) => !isWholeBetween(p, 1, MAX_REMINDER_HOURS))) return { problem: `List whole hours from 1 to ${MAX_REMINDER_HOURS}, separated by commas, such as 48, 2` };
  const hoursBefore = parts.map(Number);
  if (new Set(hoursBefore).size !== hoursBefore.length) return { problem: 'Each lead time may appear once' };
  return { hoursBefore: hoursBefore.sort((a, b) => b - a) };
}

function isWholeBetween(text: string, min: number, max: number): boolean {
  if (!/^\s*\d+\s*$/.test(text)) return false;
  const value = Number(text);
  return value >= min && value <= max;
}
