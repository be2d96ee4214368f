/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** What repository code needs from a connection: parameterised statements, nothing else. */
export interface SqlClient {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * A statement run often with the same text: PostgreSQL prepares it once per connection
   * under `name` and reuses the plan. PGlite runs it as a plain query.
   */
  prepared<R extends Row = Row>(name: string, sql: string, params: readonly unknown[]): Promise<R[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The database as the rest of the server sees it, PGlite or PostgreSQL alike. Tenant work runs
 * as the non-superuser `unichart_app` role with `app.tenant` set, so row-level security binds
 * every statement to one practice even if a query forgets its tenant filter.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction scoped to the practice. */
  transaction<T>(tenantId: string, work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** One statement on its own, scoped to the practice. */
  query<R extends Row = Row>(tenantId: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** One prepared statement on its own (see SqlClient.prepared), scoped to the practice. */
  prepared<R extends Row = Row>(tenantId: string, name: string, sql: string, params: readonly unknown[]): Promise<R[]>;
  /** Owner-level access (migrations, creating practices); not bound by row-level security. */
  asOwner<T>(work: (client: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const APP_ROLE = 'unichart_app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertTenantId(tenantId: string): void {
  if (!UUID.test(tenantId)) throw new Error(`Invalid tenant id: ${tenantId}`);
}

/** SQLSTATE codes the repository turns into client errors. */
export const SqlState = {
  uniqueViolation: '23505',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlock: '40P01',
  insufficientPrivilege: '42501',
} as const;

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}
