import { badRequest } from '@unichart/fhir';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Database } from '../db/database.js';
import { auditAgentOf, type Actor, type Authenticator } from '../identity/authenticator.js';
import { writePracticeSetting } from '../practice/practices.js';
import { practiceReminderHours, REMINDER_SETTING_KEY } from './reminders.js';
const MAX_HOURS = 24 * 14;

/** A practice's reminder lead times: `GET`/`PUT /admin/settings/reminders` `{"hoursBefore": [48, 2]}`, administrators only, audited. */
export function registerReminderSettingsRoutes(app: FastifyInstance, deps: { db: Database; authenticator: Authenticator; audit: AuditTrail; defaultHours: readonly number[] }): void {
  const administrator = (request: FastifyRequest): Promise<Actor> => deps.authenticator.administrator(request.headers.authorization, 'change practice settings');
  const current = async (tenantId: string) => {
    const own = await deps.db.transaction(tenantId, (sql) => practiceReminderHours(sql, tenantId));
    return { hoursBefore: own ?? [...deps.defaultHours], practiceDefault: !own };
  };

  app.get('/admin/settings/reminders', async (request) => current((await administrator(request)).tenantId));

  app.put('/admin/settings/reminders', async (request) => {
    const actor = await administrator(request);
    const hours = (request.body as { hoursBefore?: unknown } | undefined)?.hoursBefore;
    if (!Array.isArray(hours) || hours.some((h) => typeof h !== 'number' || !Number.isInteger(h) || h < 1 || h > MAX_HOURS) || new Set(hours).size !== hours.length) {
      throw badRequest(`hoursBefore must list different whole numbers of hours from 1 to ${MAX_HOURS}, such as [48, 2] (an empty list sends no reminders)`, 'hoursBefore');
    }
    const before = await current(actor.tenantId);
    const hoursBefore = [...(hours as number[])].sort((a, b) => b - a);
    await deps.db.transaction(actor.tenantId, (sql) => writePracticeSetting(sql, actor.tenantId, REMINDER_SETTING_KEY, { hoursBefore }));
    await deps.audit.record(actor.tenantId, {
      kind: 'setting-update',
      agent: auditAgentOf(actor.account),
      outcome: 'success',
      sourceAddress: request.ip,
      description: `Reminder lead times changed from ${before.hoursBefore.join(', ') || 'none'} to ${hoursBefore.join(', ') || 'none'} hours`,
    });
    return { hoursBefore, practiceDefault: false };
  });
}
