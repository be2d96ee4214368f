import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../cli/bin/unichart.js', import.meta.url));

export interface E2eServer {
  readonly baseUrl: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface E2eServerOptions {
  /** Where the server's log goes (stdout and stderr). */
  readonly logFile: string;
  /** Extra environment, e.g. UNICHART_IDLE_MINUTES. */
  readonly env?: Record<string, string>;
}

/**
 * The real server, as `npx unichart serve` runs it, on a fresh embedded database in a temp
 * folder, a free port and known administrator credentials. Nothing is shared between runs.
 */
export async function startE2eServer(options: E2eServerOptions): Promise<E2eServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'unichart-e2e-'));
  const port = await freePort();
  const adminEmail = 'admin@e2e.unichart';
  const adminPassword = 'correct horse e2e staple';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    UNICHART_DATA_DIR: join(dataDir, 'data'),
    UNICHART_ADMIN_EMAIL: adminEmail,
    UNICHART_ADMIN_PASSWORD: adminPassword,
    UNICHART_PRACTICE_NAME: 'E2E Practice',
    // Scenarios set up their own data; one that wants the demo practice passes UNICHART_DEMO=1.
    UNICHART_DEMO: '0',
    ...options.env,
  };
  delete env.DATABASE_URL;
  const log = createWriteStream(options.logFile);
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseUrl, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    baseUrl,
    adminEmail,
    adminPassword,
    dataDir,
    async stop() {
      await stopChild(child);
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was ready (see its log)`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not answer ${baseUrl}/healthz within ${timeoutMs / 1000} s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
