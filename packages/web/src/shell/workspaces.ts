import type { AccessPolicy } from '../session/me.js';

export type Interaction = 'read' | 'search' | 'history' | 'create' | 'update' | 'delete';

export interface Workspace {
  readonly key: string;
  readonly label: string;
  readonly path: string;
  /** The menu section it belongs to. */
  readonly section: 'Care' | 'Practice' | 'Administration' | 'My health';
}

/** The audit trail is never reached through "*": the server grants it by name only. */
const NAMED_ONLY = new Set(['AuditEvent']);

/** Mirrors the server's rule (identity/access-policy.ts) for showing menus; the server still checks every call. */
export function mayUse(policy: AccessPolicy, resourceType: string, interaction: Interaction, options: { anyCompartment?: boolean } = {}): boolean {
  return policy.rules.some(
    (rule) =>
      rule.interactions.includes(interaction) &&
      (options.anyCompartment || !rule.ownCompartment) &&
      (rule.resourceTypes.includes(resourceType) || (rule.resourceTypes.includes('*') && !NAMED_ONLY.has(resourceType))),
  );
}

export const WORKSPACES = {
  patients: { key: 'patients', label: 'Patients', path: '/app/patients', section: 'Care' },
  frontDesk: { key: 'front-desk', label: 'Front desk', path: '/app/front-desk', section: 'Care' },
  clinical: { key: 'clinical', label: 'Clinical', path: '/app/clinical', section: 'Care' },
  billing: { key: 'billing', label: 'Billing', path: '/app/billing', section: 'Practice' },
  users: { key: 'users', label: 'Users', path: '/app/admin/users', section: 'Administration' },
  roles: { key: 'roles', label: 'Roles and permissions', path: '/app/admin/roles', section: 'Administration' },
  audit: { key: 'audit', label: 'Audit trail', path: '/app/admin/audit', section: 'Administration' },
  settings: { key: 'settings', label: 'Practice settings', path: '/app/admin/settings', section: 'Administration' },
  locations: { key: 'locations', label: 'Locations and rooms', path: '/app/admin/locations', section: 'Administration' },
  scheduling: { key: 'scheduling', label: 'Scheduling', path: '/app/admin/scheduling', section: 'Administration' },
  emergencyAccess: { key: 'emergency-access', label: 'Emergency access', path: '/app/admin/emergency-access', section: 'Administration' },
  apps: { key: 'apps', label: 'Apps', path: '/app/admin/apps', section: 'Administration' },
  dataImport: { key: 'import', label: 'Import data', path: '/app/admin/import', section: 'Administration' },
  inbox: { key: 'inbox', label: 'Patient inbox', path: '/app/inbox', section: 'Care' },
  portal: { key: 'portal', label: 'My record', path: '/app/portal', section: 'My health' },
  results: { key: 'results', label: 'Results', path: '/app/results', section: 'My health' },
  appointments: { key: 'appointments', label: 'Appointments', path: '/app/appointments', section: 'My health' },
  messages: { key: 'messages', label: 'Messages', path: '/app/messages', section: 'My health' },
} as const satisfies Record<string, Workspace>;

/**
 * What the role's menu shows, derived from what its access policy allows: a role edited by the
 * administrator changes its menu with it. A person limited to their own record gets the portal.
 */
export function workspacesFor(policy: AccessPolicy): Workspace[] {
  const shown: Workspace[] = [];
  if (mayUse(policy, 'Patient', 'search')) shown.push(WORKSPACES.patients);
  if (mayUse(policy, 'Appointment', 'create')) shown.push(WORKSPACES.frontDesk);
  // Portal messages and appointment requests land with whoever may read every patient's messages.
  if (mayUse(policy, 'Communication', 'search') && mayUse(policy, 'Appointment', 'search')) shown.push(WORKSPACES.inbox);
  if (mayUse(policy, 'Observation', 'create') || mayUse(policy, 'Condition', 'create')) shown.push(WORKSPACES.clinical);
  if (mayUse(policy, 'Claim', 'create')) shown.push(WORKSPACES.billing);
  if (policy.administration) shown.push(WORKSPACES.users, WORKSPACES.roles);
  if (mayUse(policy, 'AuditEvent', 'search')) shown.push(WORKSPACES.audit);
  if (policy.administration) shown.push(WORKSPACES.settings, WORKSPACES.locations, WORKSPACES.scheduling, WORKSPACES.emergencyAccess, WORKSPACES.apps, WORKSPACES.dataImport);
  if (!mayUse(policy, 'Patient', 'read') && mayUse(policy, 'Patient', 'read', { anyCompartment: true })) {
    shown.push(WORKSPACES.portal);
    if (mayUse(policy, 'Observation', 'search', { anyCompartment: true })) shown.push(WORKSPACES.results);
    if (mayUse(policy, 'Appointment', 'search', { anyCompartment: true })) shown.push(WORKSPACES.appointments);
    if (mayUse(policy, 'Communication', 'search', { anyCompartment: true })) shown.push(WORKSPACES.messages);
  }
  return shown;
}
