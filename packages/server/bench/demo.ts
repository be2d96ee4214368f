import { SearchParameterRegistry } from '@unichart/fhir';
import { AccountStore, ensurePractice, FhirRepository, loadDemoPractice, openDatabase } from '../src/index.js';
import { round } from './load.js';

/**
 * The demo practice of a first start, on a fresh embedded database: the part written before
 * the server listens (directory, patients, calendar) and the histories written after it.
 * CPU seconds are reported beside wall seconds: on a shared machine they say more.
 */
export async function measureDemoLoad(dataDir: string, emit: (figure: Record<string, unknown>) => void): Promise<void> {
  const db = await openDatabase({ dataDir });
  try {
    const practice = await ensurePractice(db, 'Bench demo');
    const repo = new FhirRepository(db, practice.id, SearchParameterRegistry.spec());
    let cpu = process.cpuUsage();
    const result = await loadDemoPractice(repo, new AccountStore(db), { timeZone: 'America/New_York', emailDomain: 'bench-demo.unichart.local' });
    if (result.status !== 'loaded') throw new Error(`demo not loaded: ${result.status}`);
    const coreCpu = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const charts = await result.loadCharts();
    const chartsCpu = process.cpuUsage(cpu);
    emit({
      bench: 'demo_load',
      db: 'pglite',
      patients: result.patients,
      appointments: result.appointments,
      first_start_resources: result.resources,
      first_start_seconds: round(result.milliseconds / 1000),
      first_start_cpu_seconds: round((coreCpu.user + coreCpu.system) / 1e6),
      background_resources: charts.resources,
      background_seconds: round(charts.milliseconds / 1000),
      background_cpu_seconds: round((chartsCpu.user + chartsCpu.system) / 1e6),
    });
  } finally {
    await db.close();
  }
}
