import { PGlite, type Transaction } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { APP_ROLE, assertTenantId, type Database, type Row, type SqlClient } from './database.js';
import { lockDataDir } from './data-dir-lock.js';

/**
 * Embedded PostgreSQL. PGlite is one connection, so every unit of work queues behind the
 * previous one; the queue also keeps `app.tenant` and the role from leaking between callers.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite';
  private queue: Promise<unknown> = Promise.resolve();
  private currentTenant: string | undefined;
  private roleSet = false;

  private constructor(
    private readonly db: PGlite,
    private readonly unlock: () => void = () => undefined,
  ) {}

  /** In `dataDir` (held by this process until closed: lockDataDir), or in memory. */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const unlock = dataDir ? lockDataDir(dataDir) : undefined;
    try {
      const db = await PGlite.create(dataDir, {
        extensions: { pg_trgm, btree_gist, fuzzystrmatch, unaccent, citext, pgcrypto },
      });
      return new PgliteDatabase(db, unlock);
    } catch (error) {
      unlock?.();
      throw error;
    }
  }

  /** Copies the whole database (for tests: clone a prepared one instead of initialising anew). */
  async dumpDataDir(): Promise<Blob> {
    return this.serial(() => this.db.dumpDataDir('none') as Promise<Blob>);
  }

  static async fromDump(dump: Blob): Promise<PgliteDatabase> {
    const db = await PGlite.create({
      loadDataDir: dump,
      extensions: { pg_trgm, btree_gist, fuzzystrmatch, unaccent, citext, pgcrypto },
    });
    return new PgliteDatabase(db);
  }

  transaction<T>(tenantId: string, work: (tx: SqlClient) => Promise<T>): Promise<T> {
    assertTenantId(tenantId);
    return this.serial(async () => {
      await this.enterTenant(tenantId);
      return this.db.transaction((tx) => work(wrap(tx)));
    });
  }

  query<R extends Row = Row>(tenantId: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    assertTenantId(tenantId);
    return this.serial(async () => {
      await this.enterTenant(tenantId);
      return (await this.db.query<R>(sql, params as unknown[])).rows;
    });
  }

  prepared<R extends Row = Row>(tenantId: string, _name: string, sql: string, params: readonly unknown[]): Promise<R[]> {
    return this.query<R>(tenantId, sql, params);
  }

  asOwner<T>(work: (client: SqlClient) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.db.exec('RESET ROLE');
      this.roleSet = false;
      try {
        return await work(wrap(this.db));
      } finally {
        // Owner work that stopped inside its own BEGIN must not leave the one connection in
        // that transaction: a later ROLLBACK would undo SET ROLE, and tenant work would then
        // run as the owner, past row-level security.
        if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      }
    });
  }

  async close(): Promise<void> {
    try {
      await this.serial(() => this.db.close());
    } finally {
      this.unlock();
    }
  }

  private async enterTenant(tenantId: string): Promise<void> {
    if (!this.roleSet) {
      await this.db.exec(`SET ROLE ${APP_ROLE}`);
      this.roleSet = true;
    }
    if (this.currentTenant !== tenantId) {
      await this.db.query("SELECT set_config('app.tenant', $1, false)", [tenantId]);
      this.currentTenant = tenantId;
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function wrap(db: PGlite | Transaction): SqlClient {
  return {
    async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      return (await db.query<R>(sql, params as unknown[])).rows;
    },
    async prepared<R extends Row = Row>(_name: string, sql: string, params: readonly unknown[]): Promise<R[]> {
      return (await db.query<R>(sql, params as unknown[])).rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}
