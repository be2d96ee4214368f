import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const CLI = new URL('../../../cli/bin/unichart.js', import.meta.url).pathname;

/** A database of its own for a real `unichart serve` process: PostgreSQL when TEST_DATABASE_URL is set, else a PGlite folder. */
export interface ServerTarget {
  readonly env: Record<string, string>;
  readonly url?: string;
  readonly dataDir?: string;
  cleanup(): Promise<void>;
}

export async function createServerTarget(prefix: string): Promise<ServerTarget> {
  const pgUrl = process.env.TEST_DATABASE_URL;
  if (!pgUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), `unichart-${prefix}-`));
    return { env: { UNICHART_DATA_DIR: dataDir, DATABASE_URL: '' }, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `unichart_${prefix}_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    url: url.toString(),
    async cleanup() {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Starts the real command-line server and waits until /healthz answers. */
export async function startChildServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  // Tests start from an empty practice unless they ask for the demo.
  const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, UNICHART_DEMO: '0', ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start');
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
