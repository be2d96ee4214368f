/**
 * A read's or search's audit entry keeps the resources it returned (`Type/id`) on its own row;
 * which patients they concern is worked out in bulk afterwards (audit/audit-patient-links.ts)
 * instead of one index row at a time on every answered request.
 */
export const sql = `
ALTER TABLE audit_event ADD COLUMN touched text[];
`;
