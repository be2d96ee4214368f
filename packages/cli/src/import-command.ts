import cliProgress from 'cli-progress';
import { SearchParameterRegistry } from '@unichart/fhir';
import { createIdentity, ensurePractice, FhirRepository, importFiles, openConfiguredDatabase, readConfig, ValidationPool } from '@unichart/server';

export async function importCommand(paths: string[]): Promise<void> {
  const config = readConfig();
  const db = await openConfiguredDatabase(config);
  const validationPool = new ValidationPool();
  try {
    const practice = await ensurePractice(db, config.practiceName);
    // Imports encrypt SSNs and licences exactly as the API does: same keys, same search tokens.
    const { sensitiveIdentifiers } = await createIdentity(db, { encryptionKeys: config.encryptionKeys, identifierIndexKey: config.identifierIndexKey });
    const repo = new FhirRepository(db, practice.id, SearchParameterRegistry.spec(), {}, sensitiveIdentifiers);
    const bar = new cliProgress.SingleBar(
      { format: 'importing |{bar}| {value}/{total} files | {resources} resources | {file}', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(1, 0, { resources: 0, file: '' });
    const report = await importFiles(repo, config.baseUrl ?? `http://localhost:${config.port}/fhir/R4`, paths, {
      validationPool,
      onProgress: (p) => {
        bar.setTotal(p.filesTotal);
        bar.update(p.filesDone, { resources: p.resources, file: p.file.split('/').pop() });
      },
    });
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `Imported ${count(report.resources, 'resource')} from ${report.files - report.failedFiles} of ${count(report.files, 'file')} in ${seconds.toFixed(1)} s` +
        ` (${Math.round(report.resources / Math.max(seconds, 0.001))} resources/s).\n`,
    );
    for (const problem of report.problems) {
      process.stdout.write(`  ✗ ${problem.file}${problem.at ? ` (${problem.at})` : ''}: ${problem.message}${problem.path ? ` at ${problem.path}` : ''}\n`);
    }
    if (report.problems.length > 0) process.exitCode = 1;
  } finally {
    await validationPool.close();
    await db.close();
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
