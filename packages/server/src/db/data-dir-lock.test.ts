import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
import { PgliteDatabase } from './pglite-database.js';

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'unichart-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A process that runs until killed, and its pid. */
function sleeper(): { pid: number; stop: () => Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.kill('SIGKILL'))) };
}

describe('the embedded database directory', () => {
  it('is held by one process at a time, and free again once released', () => {
    const dir = newDir();
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    release();
    expect(existsSync(join(dir, 'unichart.lock'))).toBe(false);
    lockDataDir(dir)();
  });

  it('is refused while another live process holds it, naming that process, and taken over once it is gone', async () => {
    const dir = newDir();
    const other = sleeper();
    writeFileSync(join(dir, 'unichart.lock'), String(other.pid));
    expect(() => lockDataDir(dir)).toThrow(`open in another Unichart process (pid ${other.pid})`);
    // Killed without releasing, as a crash leaves it.
    await other.stop();
    const release = lockDataDir(dir);
    release();
  });

  it('is not opened by a second database object: PGlite would write the same files from two places', async () => {
    const dir = newDir();
    const release = lockDataDir(dir);
    await expect(PgliteDatabase.open(dir)).rejects.toThrow(DataDirInUseError);
    release();
  });
});
