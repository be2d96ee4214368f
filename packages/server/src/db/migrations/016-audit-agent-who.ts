/**
 * An auditor asks for everything a practitioner did (`AuditEvent?agent=Practitioner/…`): entries name
 * the person both by account and by the Practitioner or Patient it is linked to, and only the account
 * had an index, so the question walked the whole trail for anyone who did little.
 */
export const sql = `
CREATE INDEX audit_event_agent_who ON audit_event (tenant_id, agent_who, recorded);
`;
