import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another process (or another database object in this one) has the embedded database open. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another Unichart process (pid ${pid}). ` +
        'Stop that process first (a server, an import): two processes writing the same files corrupt them.',
    );
  }
}

const LOCK_FILE = 'unichart.lock';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the embedded database's directory for this process. PGlite keeps no lock of its own, so
 * a command run beside the server (`audit verify` seals and migrates) would write the same files
 * at once. A lock left by a process that is gone (killed, crashed) is taken over. Returns the
 * release.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, mine);
      closeSync(fd);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        unlinkSync(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(path, 'utf8'));
    } catch {
      continue; // released between the two calls
    }
    if (holder === process.pid || (holder > 0 && isRunning(holder))) throw new DataDirInUseError(dataDir, holder);
    try {
      unlinkSync(path);
    } catch {
      // another process took the stale lock over first: the next attempt finds it
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir} (${path} keeps changing hands)`);
}
