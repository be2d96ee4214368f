import { AsyncLocalStorage } from 'node:async_hooks';
import { SYSTEM_AGENT, type AuditAgent } from './audit-record.js';

/** Who is acting and from where, for every audit entry written while a request is served. */
export interface AuditContext {
  readonly agent: AuditAgent;
  readonly sourceAddress?: string;
  /** Writes leave no AuditEvent: set only by the overhead benchmark (AppOptions.measurementWithoutGuards). */
  readonly unaudited?: boolean;
}

const storage = new AsyncLocalStorage<AuditContext>();

/** Runs `work` with the agent every write and read inside it is attributed to. */
export function withAuditContext<T>(context: AuditContext, work: () => Promise<T>): Promise<T> {
  return storage.run(context, work);
}

/** The current agent; outside a request (CLI import, background jobs) the system itself. */
export function currentAuditContext(): AuditContext {
  return storage.getStore() ?? { agent: SYSTEM_AGENT };
}
