import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { concernsPatients, unsealedBound } from '../audit/audit-patient-links.js';
import { STORED, type StoredEntry } from '../audit/audit-search.js';
import { servedAuditEvent } from '../audit/audit-record.js';

/** One "break the glass" grant: a person's time-limited access to one patient, with their reason. */
export interface EmergencyGrant {
  readonly id: string;
  readonly accountId: string;
  readonly patientId: string;
  readonly reason: string;
  readonly startedAt: string;
  readonly expiresAt: string;
}

/** A grant as administrators review it: who, which patient, why, when, and what they did during it. */
export interface EmergencyAccessReportEntry extends EmergencyGrant {
  readonly account: { readonly email: string; readonly displayName: string; readonly role: string };
  readonly accesses: readonly { readonly recorded: string; readonly kind: string; readonly what: readonly string[]; readonly query?: string }[];
  /** The administrator's review, once someone has looked at the grant and what was done under it. */
  readonly review?: EmergencyAccessReview;
}

export interface EmergencyAccessReview {
  readonly reviewedAt: string;
  readonly note: string;
  readonly reviewer: { readonly email: string; readonly displayName: string };
}

/** What marking a grant reviewed came to: done now, done by someone before, or no such grant. */
export type ReviewOutcome = { readonly status: 'reviewed'; readonly grant: EmergencyGrant } | { readonly status: 'already-reviewed' } | { readonly status: 'missing' };

type ReviewColumns = { reviewed_at: Date | string | null; review_note: string | null; reviewer_email: string | null; reviewer_name: string | null };

const toReview = (row: ReviewColumns): EmergencyAccessReview | undefined =>
  row.reviewed_at === null
    ? undefined
    : { reviewedAt: new Date(row.reviewed_at).toISOString(), note: row.review_note ?? '', reviewer: { email: row.reviewer_email ?? '', displayName: row.reviewer_name ?? '' } };

type GrantRow = { id: string; account_id: string; patient_id: string; reason: string; started_at: Date | string; expires_at: Date | string };

const toGrant = (row: GrantRow): EmergencyGrant => ({
  id: row.id,
  accountId: row.account_id,
  patientId: row.patient_id,
  reason: row.reason,
  startedAt: new Date(row.started_at).toISOString(),
  expiresAt: new Date(row.expires_at).toISOString(),
});

/** Most accesses listed per grant; the full list is on the audit trail. */
const ACCESSES_PER_GRANT = 500;

/** Emergency access grants (append-only) and the administrators' report of them. */
export class EmergencyAccessStore {
  constructor(private readonly db: Database) {}

  async grant(tenantId: string, input: { accountId: string; patientId: string; reason: string; minutes: number }): Promise<EmergencyGrant> {
    const rows = await this.db.query<GrantRow>(
      tenantId,
      `INSERT INTO emergency_access (tenant_id, id, account_id, patient_id, reason, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))
       RETURNING id, account_id, patient_id, reason, started_at, expires_at`,
      [tenantId, randomUUID(), input.accountId, input.patientId, input.reason, input.minutes],
    );
    return toGrant(rows[0]!);
  }

  /** The person's grants still running: read on each request of a care-team-restricted person. */
  async active(tenantId: string, accountId: string): Promise<EmergencyGrant[]> {
    const rows = await this.db.prepared<GrantRow>(
      tenantId,
      'unichart_emergency_active',
      'SELECT id, account_id, patient_id, reason, started_at, expires_at FROM emergency_access WHERE tenant_id = $1 AND account_id = $2 AND expires_at > now() ORDER BY started_at',
      [tenantId, accountId],
    );
    return rows.map(toGrant);
  }

  /**
   * Grants started in [since, until), newest first, each with the audit entries of that person
   * on that patient while it ran: what was actually opened under it.
   */
  async report(tenantId: string, since: Date, until: Date): Promise<EmergencyAccessReportEntry[]> {
    const grants = await this.db.query<GrantRow & ReviewColumns & { email: string; display_name: string; role_code: string }>(
      tenantId,
      `SELECT g.id, g.account_id, g.patient_id, g.reason, g.started_at, g.expires_at, a.email::text AS email, a.display_name, a.role_code,
         r.reviewed_at, r.note AS review_note, ra.email::text AS reviewer_email, ra.display_name AS reviewer_name
       FROM emergency_access g JOIN user_account a ON a.tenant_id = g.tenant_id AND a.id = g.account_id
       LEFT JOIN emergency_access_review r ON r.tenant_id = g.tenant_id AND r.grant_id = g.id
       LEFT JOIN user_account ra ON ra.tenant_id = r.tenant_id AND ra.id = r.reviewed_by
       WHERE g.tenant_id = $1 AND g.started_at >= $2 AND g.started_at < $3 ORDER BY g.started_at DESC`,
      [tenantId, since.toISOString(), until.toISOString()],
    );
    const entries: EmergencyAccessReportEntry[] = [];
    const after = grants.length ? await unsealedBound({ query: (text, params) => this.db.query(tenantId, text, params) }, tenantId) : 0;
    for (const row of grants) {
      const events = await this.db.query<StoredEntry & { recorded: Date | string; type: string }>(
        tenantId,
        `SELECT e.recorded, e.type, ${STORED} FROM audit_event e
         WHERE e.tenant_id = $1 AND e.recorded >= $3 AND e.recorded <= $4 AND e.agent_user = $5 AND e.type <> 'emergency-access'
           AND ${concernsPatients('$1', 'ARRAY[$2]::text[]', '$6::bigint')}
         ORDER BY e.recorded LIMIT ${ACCESSES_PER_GRANT}`,
        [tenantId, row.patient_id, row.started_at, row.expires_at, row.account_id, after],
      );
      const review = toReview(row);
      entries.push({
        ...toGrant(row),
        ...(review ? { review } : {}),
        account: { email: row.email, displayName: row.display_name, role: row.role_code },
        accesses: events.map((event) => {
          const content = servedAuditEvent(event.content, event.touched, event.digested);
          const what = (content.entity ?? []).flatMap((e) => (e.what?.reference ? [e.what.reference] : []));
          const query = content.entity?.find((e) => e.description)?.description;
          return { recorded: new Date(event.recorded).toISOString(), kind: event.type, what, ...(query ? { query } : {}) };
        }),
      });
    }
    return entries;
  }

  /** Records an administrator's review of one grant; the first review stands. */
  async review(tenantId: string, input: { grantId: string; reviewerId: string; note: string }): Promise<ReviewOutcome> {
    return this.db.transaction(tenantId, async (sql) => {
      const grants = await sql.query<GrantRow>('SELECT id, account_id, patient_id, reason, started_at, expires_at FROM emergency_access WHERE tenant_id = $1 AND id = $2', [tenantId, input.grantId]);
      if (!grants[0]) return { status: 'missing' } as const;
      const inserted = await sql.query(
        'INSERT INTO emergency_access_review (tenant_id, grant_id, reviewed_by, note) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, grant_id) DO NOTHING RETURNING grant_id',
        [tenantId, input.grantId, input.reviewerId, input.note],
      );
      return inserted.length ? ({ status: 'reviewed', grant: toGrant(grants[0]) } as const) : ({ status: 'already-reviewed' } as const);
    });
  }
}
