import pg from 'pg';
import { APP_ROLE, assertTenantId, type Database, type Row, type SqlClient } from './database.js';

// Keep numeric and bigint as JS numbers where they fit: counts, versions, amounts in cents.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export class PostgresDatabase implements Database {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  /** Connections known to be in the application role with `app.tenant` set to the practice. */
  private readonly tenantOf = new WeakMap<pg.PoolClient, string>();

  constructor(connectionString: string, poolSize = Number(process.env.UNICHART_DB_POOL ?? 16)) {
    this.pool = new pg.Pool({ connectionString, max: poolSize });
    // An idle connection the server ends (a restart, a terminated backend) must not take the
    // process down: the pool drops it and the next checkout opens a fresh one.
    this.pool.on('error', (error) => console.warn(`A PostgreSQL connection closed while idle: ${error.message}`));
  }

  async transaction<T>(tenantId: string, work: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.checkout(tenantId);
    try {
      await client.query('BEGIN');
      const result = await work(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async query<R extends Row = Row>(tenantId: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const client = await this.checkout(tenantId);
    try {
      return (await client.query(sql, params as unknown[])).rows as R[];
    } finally {
      client.release();
    }
  }

  async prepared<R extends Row = Row>(tenantId: string, name: string, sql: string, params: readonly unknown[]): Promise<R[]> {
    const client = await this.checkout(tenantId);
    try {
      return (await client.query({ name, text: sql, values: params as unknown[] })).rows as R[];
    } finally {
      client.release();
    }
  }

  async asOwner<T>(work: (client: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The next tenant checkout sets role and practice again, whatever the owner work did.
    this.tenantOf.delete(client);
    try {
      await client.query('RESET ROLE');
      return await work(wrap(client));
    } catch (error) {
      // Work that failed inside its own BEGIN must not hand the connection back mid-transaction.
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A connection that cannot be put back into the application role is closed, never reused.
      const restored = await client.query(`SET ROLE ${APP_ROLE}`).then(() => undefined, (error: Error) => error);
      client.release(restored);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** A pooled connection in the application role, pointed at the practice (both session-level). */
  private async checkout(tenantId: string): Promise<pg.PoolClient> {
    assertTenantId(tenantId);
    const client = await this.pool.connect();
    if (this.tenantOf.get(client) !== tenantId) {
      try {
        await client.query("SELECT set_config('role', $1, false), set_config('app.tenant', $2, false)", [APP_ROLE, tenantId]);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      this.tenantOf.set(client, tenantId);
    }
    return client;
  }
}

function wrap(client: pg.PoolClient): SqlClient {
  return {
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await client.query(sql, params as unknown[])).rows as R[];
    },
    async prepared<R extends Row = Row>(name: string, sql: string, params: readonly unknown[]): Promise<R[]> {
      return (await client.query({ name, text: sql, values: params as unknown[] })).rows as R[];
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}
