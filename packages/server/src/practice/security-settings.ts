import type { Database } from '../db/database.js';

/** A practice's security switches, kept in practice_setting under `security`; an administrator changes them. */
export interface SecuritySettings {
  /** Roles marked requiresMfa sign in only with a second factor. */
  readonly mfaRequired: boolean;
  /** Roles marked careTeamOnly reach only their care team's patients (or through emergency access). */
  readonly careTeamRestriction: boolean;
  /** How long emergency access to one patient lasts. */
  readonly emergencyAccessMinutes: number;
  /** Minutes without use after which a session ends (automatic logoff); absent: the server's UNICHART_IDLE_MINUTES. */
  readonly idleMinutes?: number;
}

export const SECURITY_SETTING_KEY = 'security';
/** Longest automatic-logoff time an administrator may choose: a shift's workstation left signed in is the risk it guards. */
export const MAX_IDLE_MINUTES = 8 * 60;
export const DEFAULT_SECURITY_SETTINGS: SecuritySettings = { mfaRequired: false, careTeamRestriction: false, emergencyAccessMinutes: 60 };

/** Settings from the stored JSON (or none): unknown or ill-typed values fall back to the defaults. */
export function parseSecuritySettings(value: unknown): SecuritySettings {
  const stored = (typeof value === 'string' ? JSON.parse(value) : (value ?? {})) as Record<string, unknown>;
  const flag = (name: 'mfaRequired' | 'careTeamRestriction') => (typeof stored[name] === 'boolean' ? stored[name] : DEFAULT_SECURITY_SETTINGS[name]);
  const minutes = stored.emergencyAccessMinutes;
  const idle = stored.idleMinutes;
  return {
    mfaRequired: flag('mfaRequired'),
    careTeamRestriction: flag('careTeamRestriction'),
    emergencyAccessMinutes: typeof minutes === 'number' && Number.isInteger(minutes) && minutes > 0 ? minutes : DEFAULT_SECURITY_SETTINGS.emergencyAccessMinutes,
    ...(isIdleMinutes(idle) ? { idleMinutes: idle } : {}),
  };
}

/** What is wrong with a change an administrator sends, or undefined when it is acceptable. */
export function securitySettingsProblem(change: Record<string, unknown>): string | undefined {
  for (const [name, value] of Object.entries(change)) {
    if (name === 'mfaRequired' || name === 'careTeamRestriction') {
      if (typeof value !== 'boolean') return `${name} must be true or false`;
    } else if (name === 'emergencyAccessMinutes') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 24 * 60) return 'emergencyAccessMinutes must be a whole number of minutes from 1 to 1440';
    } else if (name === 'idleMinutes') {
      // null goes back to the server's own setting.
      if (value !== null && !isIdleMinutes(value)) return `idleMinutes must be a whole number of minutes from 1 to ${MAX_IDLE_MINUTES}, or null for the server's default`;
    } else {
      return `Unknown setting "${name}" (known: mfaRequired, careTeamRestriction, emergencyAccessMinutes, idleMinutes)`;
    }
  }
  return undefined;
}

function isIdleMinutes(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_IDLE_MINUTES;
}

/** The stored settings after a change an administrator sent (already checked by securitySettingsProblem). */
export function applySecurityChange(before: SecuritySettings, change: Record<string, unknown>): SecuritySettings {
  const merged: Record<string, unknown> = { ...before, ...change };
  if (merged.idleMinutes === null) delete merged.idleMinutes;
  return merged as unknown as SecuritySettings;
}

export class SecuritySettingsStore {
  constructor(private readonly db: Database) {}

  async get(tenantId: string): Promise<SecuritySettings> {
    const rows = await this.db.query<{ value: unknown }>(tenantId, 'SELECT value FROM practice_setting WHERE tenant_id = $1 AND key = $2', [tenantId, SECURITY_SETTING_KEY]);
    return parseSecuritySettings(rows[0]?.value);
  }

  async save(tenantId: string, settings: SecuritySettings): Promise<void> {
    await this.db.query(
      tenantId,
      `INSERT INTO practice_setting (tenant_id, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value`,
      [tenantId, SECURITY_SETTING_KEY, JSON.stringify(settings)],
    );
  }
}
