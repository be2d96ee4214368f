import { SearchParameterRegistry } from '@unichart/fhir';
import { AccountStore, describeDemo, ensurePractice, FhirRepository, loadDemoPractice, openConfiguredDatabase, readConfig } from '@unichart/server';

/** `unichart demo`: loads the demo practice into the configured database now, whatever UNICHART_DEMO says. */
export async function demoCommand(): Promise<void> {
  const config = readConfig();
  const db = await openConfiguredDatabase(config);
  try {
    const practice = await ensurePractice(db, config.practiceName);
    const repo = new FhirRepository(db, practice.id, SearchParameterRegistry.spec());
    const result = await loadDemoPractice(repo, new AccountStore(db), { timeZone: config.timeZone, practiceName: practice.name });
    if (result.status === 'already-loaded') {
      process.stdout.write(`${practice.name} already has the demo practice.\n`);
      return;
    }
    if (result.status === 'practice-in-use') {
      process.stdout.write(`${practice.name} already has ${result.patients} patients of its own: the demo is only loaded into an empty practice.\n`);
      process.exitCode = 1;
      return;
    }
    if (result.status === 'loaded') process.stdout.write(describeDemo(result, 'command'));
    const charts = await result.loadCharts();
    process.stdout.write(`Patient histories: ${charts.resources} resources in ${(charts.milliseconds / 1000).toFixed(1)} s.\n`);
  } finally {
    await db.close();
  }
}
