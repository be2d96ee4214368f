import { describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../session/me.js';
import { workspacesFor } from './workspaces.js';

const labels = (policy: AccessPolicy) => workspacesFor(policy).map((w) => w.label);
const WRITE = ['read', 'search', 'history', 'create', 'update'];

describe('the menu follows the role', () => {
  it('gives the administrator every workspace and the administration section', () => {
    const administrator = { administration: true, rules: [{ resourceTypes: ['*'], interactions: [...WRITE, 'delete'] }, { resourceTypes: ['AuditEvent'], interactions: ['read', 'search'] }] };
    expect(labels(administrator)).toEqual(['Patients', 'Front desk', 'Patient inbox', 'Clinical', 'Billing', 'Users', 'Roles and permissions', 'Audit trail', 'Practice settings', 'Locations and rooms', 'Scheduling', 'Emergency access', 'Apps', 'Import data']);
  });

  it('gives the front desk patients and the front desk, no clinical, billing or administration', () => {
    const frontDesk = { rules: [{ resourceTypes: ['Patient', 'Appointment', 'Encounter'], interactions: WRITE }, { resourceTypes: ['Practitioner'], interactions: ['read', 'search'] }] };
    expect(labels(frontDesk)).toEqual(['Patients', 'Front desk']);
  });

  it('does not open the audit trail through a wildcard', () => {
    expect(labels({ rules: [{ resourceTypes: ['*'], interactions: WRITE }] })).not.toContain('Audit trail');
  });

  it('gives the front desk the patient inbox once it may read messages', () => {
    const frontDesk = { rules: [{ resourceTypes: ['Patient', 'Appointment', 'Communication'], interactions: WRITE }] };
    expect(labels(frontDesk)).toEqual(['Patients', 'Front desk', 'Patient inbox']);
  });

  it("gives a patient only their own record, and the portal's parts their policy allows", () => {
    const patient = { rules: [{ resourceTypes: ['Patient', 'Observation', 'AuditEvent'], interactions: ['read', 'search'], ownCompartment: true }] };
    expect(labels(patient)).toEqual(['My record', 'Results']);
    const portal = { rules: [{ resourceTypes: ['Patient', 'Observation', 'Appointment', 'Communication'], interactions: ['read', 'search'], ownCompartment: true }] };
    expect(labels(portal)).toEqual(['My record', 'Results', 'Appointments', 'Messages']);
  });
});
