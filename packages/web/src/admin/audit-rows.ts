/** The AuditEvent fields the viewer and the CSV export show. */
export interface AuditEvent {
  readonly resourceType: 'AuditEvent';
  readonly id: string;
  readonly recorded: string;
  readonly outcome?: string;
  readonly outcomeDesc?: string;
  readonly subtype?: readonly { readonly code?: string }[];
  readonly agent?: readonly { readonly name?: string; readonly altId?: string; readonly who?: { readonly reference?: string; readonly display?: string }; readonly role?: readonly { readonly text?: string }[]; readonly network?: { readonly address?: string } }[];
  readonly entity?: readonly { readonly what?: { readonly reference?: string }; readonly description?: string; readonly role?: { readonly code?: string } }[];
}

export const AUDIT_ACTIONS: Record<string, string> = {
  read: 'Read',
  vread: 'Read a version',
  search: 'Search',
  history: 'History',
  create: 'Create',
  update: 'Update',
  patch: 'Patch',
  delete: 'Delete',
  login: 'Sign-in',
  'login-failed': 'Failed sign-in',
  logout: 'Sign-out',
  'access-denied': 'Access denied',
  'emergency-access': 'Emergency access',
  export: 'Export',
  print: 'Print',
  'account-create': 'Account created',
  'account-deactivate': 'Account deactivated',
  'account-reactivate': 'Account reactivated',
  'mfa-reset': 'MFA reset',
  'role-update': 'Role changed',
};

const OUTCOMES: Record<string, string> = { '0': 'Success', '4': 'Denied', '8': 'Failed', '12': 'Failed' };

export interface AuditRow {
  readonly recorded: string;
  readonly user: string;
  readonly role: string;
  readonly action: string;
  readonly outcome: string;
  readonly what: string;
  readonly patients: string;
  readonly address: string;
  readonly detail: string;
}

export function auditRowOf(event: AuditEvent): AuditRow {
  const agent = event.agent?.[0];
  const subtype = event.subtype?.[0]?.code ?? '';
  const references = (event.entity ?? []).map((e) => e.what?.reference).filter((r): r is string => Boolean(r));
  const query = event.entity?.find((e) => e.description)?.description;
  return {
    recorded: event.recorded,
    user: agent?.name ?? agent?.who?.display ?? '',
    role: agent?.role?.[0]?.text ?? '',
    action: AUDIT_ACTIONS[subtype] ?? subtype,
    outcome: OUTCOMES[event.outcome ?? ''] ?? event.outcome ?? '',
    what: query ?? references.find((r) => !r.startsWith('Patient/')) ?? references[0] ?? '',
    patients: [...new Set(references.filter((r) => r.startsWith('Patient/')))].join(' '),
    address: agent?.network?.address ?? '',
    detail: event.outcomeDesc ?? '',
  };
}

export interface AuditFilters {
  readonly patient: string;
  readonly agent: string;
  readonly action: string;
  readonly from: string;
  readonly to: string;
}

export const NO_FILTERS: AuditFilters = { patient: '', agent: '', action: '', from: '', to: '' };

/** The filters as an AuditEvent search (the server answers newest first). */
export function auditSearch(filters: AuditFilters, count = 50): URLSearchParams {
  const params = new URLSearchParams();
  const patient = filters.patient.trim().replace(/^Patient\//, '');
  if (patient) params.set('patient', patient);
  if (filters.agent) params.set('agent', filters.agent);
  if (filters.action) params.set('subtype', filters.action);
  if (filters.from) params.append('date', `ge${filters.from}`);
  if (filters.to) params.append('date', `le${filters.to}`);
  params.set('_count', String(count));
  return params;
}

const CSV_COLUMNS: readonly [keyof AuditRow, string][] = [
  ['recorded', 'Recorded'],
  ['user', 'User'],
  ['role', 'Role'],
  ['action', 'Action'],
  ['outcome', 'Outcome'],
  ['what', 'What'],
  ['patients', 'Patients'],
  ['address', 'Address'],
  ['detail', 'Detail'],
];

/** RFC 4180 CSV; a cell starting with = + - @ is prefixed so a spreadsheet does not run it as a formula (OWASP CSV injection). */
export function auditCsv(rows: readonly AuditRow[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [CSV_COLUMNS.map(([, title]) => title).join(','), ...rows.map((row) => CSV_COLUMNS.map(([key]) => cell(row[key])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
