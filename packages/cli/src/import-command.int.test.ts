import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/unichart.js', import.meta.url));

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'unichart-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `unichart <args>` the way an administrator would, on an embedded database in `dataDir`. */
function unichart(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, UNICHART_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('unichart import', () => {
  it('prints what it imported and each refused file, and exits 1 when a file was refused', async () => {
    const input = join(scratch, 'input');
    await mkdir(join(input, 'nested'), { recursive: true });
    await writeFile(join(input, 'patient.json'), JSON.stringify({ resourceType: 'Patient', id: 'cli-1', name: [{ family: 'Varga' }] }));
    await writeFile(join(input, 'nested', 'more.ndjson'), [{ resourceType: 'Patient', name: [{ family: 'Wolf' }] }, { resourceType: 'Organization', name: 'Xu Clinic' }].map((r) => JSON.stringify(r)).join('\n'));
    await writeFile(join(input, 'broken.json'), '{"resourceType": ');
    const dataDir = join(scratch, 'data');

    const first = await unichart(['import', input], dataDir);
    expect(first.stderr).not.toMatch(/unichart:/);
    expect(first.stdout).toMatch(/^Imported 3 resources from 2 of 3 files in \d+\.\d s \(\d+ resources\/s\)\.$/m);
    expect(first.stdout).toContain(`✗ ${join(input, 'broken.json')}: Not valid JSON`);
    expect(first.code).toBe(1);

    // The same embedded database, now already migrated, takes a clean import and exits 0.
    await rm(join(input, 'broken.json'));
    const second = await unichart(['import', join(input, 'patient.json')], dataDir);
    expect(second.stdout).toMatch(/^Imported 1 resource from 1 of 1 file in /m);
    expect(second.stdout).not.toContain('✗');
    expect(second.code).toBe(0);
  });
});
