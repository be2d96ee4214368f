import { badRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, notFound, splitValues } from '@unichart/fhir';
import type { SqlClient } from '../db/database.js';
import { dateCondition } from '../fhir/search/value-conditions.js';
import { SqlParams } from '../fhir/search/sql-params.js';
import { isUuid } from '../db/uuid.js';
import { concernsPatients, unsealedBound } from './audit-patient-links.js';
import { renderAuditEvent } from './audit-record.js';

export interface AuditMatch {
  readonly resourceType: 'AuditEvent';
  readonly id: string;
  readonly content: string;
}

/** What an AuditEvent is served from (renderAuditEvent). */
export type StoredEntry = {
  readonly content: string;
  readonly touched: string[] | null;
  readonly digested: boolean;
};
export const STORED = 'e.content, e.touched, e.entry_hash IS NOT NULL AS digested';
export const served = (entry: StoredEntry): string => renderAuditEvent(entry.content, entry.touched, entry.digested);

const SUPPORTED = new Set(['patient', 'agent', 'date', 'entity', 'action', 'outcome', 'subtype', '_id', '_count', '_cursor', '_sort']);

/**
 * AuditEvent search, answered from the audit table's own columns: by patient (accounting of
 * disclosures), by agent (the account, or the Practitioner/Patient it is linked to), by date,
 * entity, action, outcome and subtype; newest first.
 */
export async function searchAuditEvents(sql: SqlClient, tenantId: string, query: URLSearchParams, onlyPatient?: string): Promise<{ matches: AuditMatch[]; next?: string }> {
  const p = new SqlParams();
  const tenant = p.add(tenantId);
  const conditions = [`e.tenant_id = ${tenant}`];
  let count = DEFAULT_PAGE_SIZE;
  const patients = onlyPatient ? [onlyPatient] : [];
  for (const [key, raw] of query) {
    if (!SUPPORTED.has(key)) throw badRequest(`AuditEvent search supports ${[...SUPPORTED].join(', ')}; not "${key}"`, key);
    const values = splitValues(raw);
    switch (key) {
      case 'patient':
        if (onlyPatient) continue;
        patients.push(...values.map((v) => v.replace(/^Patient\//, '')));
        break;
      case 'agent':
        conditions.push(`(e.agent_user = ANY(${p.add(values)}::text[]) OR e.agent_who = ANY(${p.add(values)}::text[]))`);
        break;
      case 'date':
        conditions.push(`(${values.map((v) => dateCondition(p, v, 'date', 'e.recorded', "(e.recorded + interval '1 millisecond')")).join(' OR ')})`);
        break;
      case 'entity':
        conditions.push(`e.entity = ANY(${p.add(values)}::text[])`);
        break;
      case 'action':
        conditions.push(`e.action = ANY(${p.add(values)}::text[])`);
        break;
      case 'outcome':
        conditions.push(`e.outcome = ANY(${p.add(values)}::text[])`);
        break;
      case 'subtype':
        conditions.push(`e.type = ANY(${p.add(values.map((v) => v.split('|').pop()!))}::text[])`);
        break;
      case '_id':
        // Compared as uuids, so the primary key answers; anything else names no entry.
        conditions.push(`e.id = ANY(${p.add(values.filter(isUuid))}::uuid[])`);
        break;
      case '_count':
        count = Math.min(MAX_PAGE_SIZE, Number(raw));
        if (!Number.isInteger(count) || count < 0) throw badRequest('_count must be a whole number', '_count');
        break;
      case '_cursor': {
        const [recorded, id] = Buffer.from(raw, 'base64url').toString().split('|');
        if (!recorded || !id || Number.isNaN(Date.parse(recorded))) throw badRequest('The paging cursor is not valid', '_cursor');
        conditions.push(`(e.recorded, e.id::text) < (${p.add(recorded)}::timestamptz, ${p.add(id)})`);
        break;
      }
      case '_sort':
        if (raw !== '-date' && raw !== '-_lastUpdated') throw badRequest('AuditEvent results are always newest first (_sort=-date)', '_sort');
        break;
    }
  }
  if (patients.length > 0) {
    const after = await unsealedBound(sql, tenantId);
    conditions.push(concernsPatients(tenant, `${p.add(patients)}::text[]`, `${p.add(after)}::bigint`));
  }
  const rows = await sql.query<StoredEntry & { id: string; recorded: Date | string }>(
    `SELECT e.id::text AS id, ${STORED}, e.recorded FROM audit_event e WHERE ${conditions.join(' AND ')} ORDER BY e.recorded DESC, e.id::text DESC LIMIT ${count + 1}`,
    p.values,
  );
  const page = rows.slice(0, count);
  const last = page[page.length - 1];
  const next = rows.length > count && last ? Buffer.from(`${new Date(last.recorded).toISOString()}|${last.id}`).toString('base64url') : undefined;
  return { matches: page.map((r) => ({ resourceType: 'AuditEvent', id: r.id, content: served(r) })), next };
}

export async function readAuditEvent(sql: SqlClient, tenantId: string, id: string, onlyPatient?: string): Promise<AuditMatch> {
  if (!isUuid(id)) throw notFound(`AuditEvent/${id} not found`);
  const patientFilter = onlyPatient ? ` AND ${concernsPatients('$1', 'ARRAY[$3]::text[]', '$4::bigint')}` : '';
  const params = onlyPatient ? [tenantId, id, onlyPatient, await unsealedBound(sql, tenantId)] : [tenantId, id];
  const rows = await sql.query<StoredEntry>(`SELECT ${STORED} FROM audit_event e WHERE e.tenant_id = $1 AND e.id = $2::uuid${patientFilter}`, params);
  if (!rows[0]) throw notFound(`AuditEvent/${id} not found`);
  return { resourceType: 'AuditEvent', id, content: served(rows[0]) };
}
