import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/e2e-artifacts/`: screenshots, axe reports and server logs of the last run (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../../e2e-artifacts/', import.meta.url));

export async function artifactsFor(scenario: string): Promise<string> {
  const dir = join(ARTIFACTS_DIR, scenario);
  // Only this run's steps: a stale screenshot from an earlier run would mislead.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}
