// `npm run bench`: one JSON line per figure, on PGlite and (when reachable) PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseSearchRequest, SearchParameterRegistry, sharedDataDir } from '@unichart/fhir';
import { buildSearchQuery } from '../src/fhir/search/search-sql.js';
import { AuditSealer, FhirRepository, importFiles, openDatabase, ensurePractice, ValidationPool, type Database } from '../src/index.js';
import { runLoad, round, type LoadRequest, type LoadResult } from './load.js';
import { measureDemoLoad } from './demo.js';
import { measureScheduling } from './scheduling.js';
import { createRandom, LOINC, observation, patient } from './workload.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 8;
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SYNTHEA_DIR = `${sharedDataDir() ?? '/nonexistent/'}synthea/`;
/** BENCH_PORT moves the servers' ports (PORT, +1 bare, +2 unguarded) when several benches share a machine. */
const PORT = Number(process.env.BENCH_PORT ?? 18080);
/** BENCH_CPU_PROF=<dir>: each server under test writes a V8 CPU profile there when it stops. */
const BARE_PORT = PORT + 1;

interface Backend {
  readonly name: 'pglite' | 'postgres';
  readonly env: Record<string, string>;
  readonly scale: { patients: number; observations: number };
  open(): Promise<Database>;
}

const ceiling: Partial<Record<'create' | 'read', number>> = {};
// The API rate limit stays on (its cost is part of every request) but far above the load.
const ADMIN = { UNICHART_ADMIN_EMAIL: 'bench@unichart.local', UNICHART_ADMIN_PASSWORD: 'load-test passphrase 2026', UNICHART_RATE_LIMIT_PER_MINUTE: '100000000' };
let auth: Record<string, string> = {};

async function signIn(origin: string): Promise<void> {
  const response = await fetch(`${origin}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.UNICHART_ADMIN_EMAIL, password: ADMIN.UNICHART_ADMIN_PASSWORD }),
  });
  if (!response.ok) throw new Error(`bench sign-in failed: ${await response.text()}`);
  auth = { authorization: `Bearer ${((await response.json()) as { access_token: string }).access_token}` };
}

function emit(figure: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

function emitLoad(db: string, bench: string, scale: string, result: LoadResult, ceilingKey?: 'create' | 'read'): void {
  const base = ceilingKey ? ceiling[ceilingKey] : undefined;
  emit({ bench, db, scale, concurrency: CONCURRENCY, ...result, ...(base ? { ratio_to_bare: round(result.rps / base) } : {}) });
}

async function startProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), '--import', 'tsx', new URL(script, import.meta.url).pathname], {
    // The benchmarks make their own data; the demo practice is measured on its own below.
    env: { ...process.env, UNICHART_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Vacuums, analyzes and checkpoints: what a load left behind is not charged to the next measurement. */
async function settleDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('VACUUM ANALYZE');
  await client.query('CHECKPOINT');
  await client.end();
}

async function ensureBenchDatabase(name: string): Promise<string | undefined> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function measureCeiling(): Promise<void> {
  const url = await ensureBenchDatabase('unichart_bench_bare');
  if (!url) return;
  const server = await startProcess('./bare-server.ts', { DATABASE_URL: url, PORT: String(BARE_PORT) });
  const origin = `http://127.0.0.1:${BARE_PORT}`;
  const random = createRandom(7);
  const ids: string[] = [];
  const create = await runLoad(origin, {
    headers: auth,
    concurrency: CONCURRENCY,
    durationMs: SECONDS * 1000,
    next: () => ({ method: 'POST', path: '/fhir/R4/Patient', body: JSON.stringify(patient(random)) }),
    onBody: (status, body) => status === 201 && ids.push(JSON.parse(body).id),
  });
  ceiling.create = create.rps;
  emitLoad('postgres', 'bare_patient_create', 'small', create);
  const read = await runLoad(origin, { headers: auth, concurrency: CONCURRENCY, durationMs: SECONDS * 1000, next: (i) => ({ method: 'GET', path: `/fhir/R4/Patient/${ids[i % ids.length]}` }) });
  ceiling.read = read.rps;
  emitLoad('postgres', 'bare_patient_read', 'small', read);
  await stopProcess(server);
}

/** The measured interactions against a running server; returns created patient ids. */
async function measureInteractions(backend: Backend, scale: string, known: { patients: string[]; families: string[]; births: string[] }): Promise<void> {
  const origin = `http://127.0.0.1:${PORT}`;
  await signIn(origin);
  const random = createRandom(scale === 'small' ? 11 : 12);
  const duration = SECONDS * 1000;
  if (scale === 'small') {
    const create = await runLoad(origin, {
      headers: auth,
      concurrency: CONCURRENCY,
      durationMs: duration,
      next: () => ({ method: 'POST', path: '/fhir/R4/Patient', body: JSON.stringify(patient(random)) }),
      onBody: (status, body) => {
        if (status !== 201) return;
        const created = JSON.parse(body);
        known.patients.push(created.id);
        known.families.push(created.name[0].family);
        known.births.push(created.birthDate);
      },
    });
    emitLoad(backend.name, 'patient_create', scale, create, 'create');
  }
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  emitLoad(backend.name, 'patient_read', scale, await runLoad(origin, { headers: auth, concurrency: CONCURRENCY, durationMs: duration, next: () => ({ method: 'GET', path: `/fhir/R4/Patient/${pick(known.patients)}` }) }), 'read');
  emitLoad(backend.name, 'patient_search_name', scale, await runLoad(origin, { headers: auth, concurrency: CONCURRENCY, durationMs: duration, next: () => ({ method: 'GET', path: `/fhir/R4/Patient?name=${pick(known.families)}` }) }));
  emitLoad(backend.name, 'patient_search_birthdate', scale, await runLoad(origin, { headers: auth, concurrency: CONCURRENCY, durationMs: duration, next: () => ({ method: 'GET', path: `/fhir/R4/Patient?birthdate=${pick(known.births)}` }) }));
  if (scale === 'small') {
    const create = await runLoad(origin, {
      headers: auth,
      concurrency: CONCURRENCY,
      durationMs: duration,
      next: () => ({ method: 'POST', path: '/fhir/R4/Observation', body: JSON.stringify(observation(random, pick(known.patients))) }),
    });
    emitLoad(backend.name, 'observation_create', scale, create, 'create');
  }
  emitLoad(
    backend.name,
    'observation_search_subject_code',
    scale,
    await runLoad(origin, {
      headers: auth,
      concurrency: CONCURRENCY,
      durationMs: duration,
      next: () => ({ method: 'GET', path: `/fhir/R4/Observation?subject=Patient/${pick(known.patients)}&code=http://loinc.org|${pick(LOINC)}` }),
    }),
  );
}

/**
 * Synthea import through the CLI's path (worker-thread validation, concurrent files). The set
 * is imported three times (new ids each time): the first run includes start-up (loading the
 * R4 definitions in the workers), the later ones are the steady rate of a large import.
 */
async function measureSyntheaImport(backend: Backend): Promise<void> {
  const db = await backend.open();
  const pool = new ValidationPool();
  try {
    const practice = await ensurePractice(db, 'Bench');
    const repo = new FhirRepository(db, practice.id, SearchParameterRegistry.spec());
    for (const run of ['cold', 'warm', 'warm']) {
      const started = performance.now();
      const report = await importFiles(repo, 'http://bench/fhir/R4', [SYNTHEA_DIR], { validationPool: pool });
      const seconds = (performance.now() - started) / 1000;
      emit({ bench: 'synthea_import', db: backend.name, run, files: report.files, resources: report.resources, problems: report.problems.length, seconds: round(seconds), resources_per_s: round(report.resources / seconds) });
    }
  } finally {
    await pool.close();
    await db.close();
  }
}

/** Grows the record to the target size through the same write path (bulk creates). */
async function seed(backend: Backend, known: { patients: string[]; families: string[]; births: string[] }): Promise<void> {
  const db = await backend.open();
  const random = createRandom(99);
  const started = performance.now();
  let written = 0;
  try {
    const practice = await ensurePractice(db, 'Bench');
    const repo = new FhirRepository(db, practice.id, SearchParameterRegistry.spec());
    const BATCH = 500;
    while (known.patients.length < backend.scale.patients) {
      const batch = Array.from({ length: Math.min(BATCH, backend.scale.patients - known.patients.length) }, () => ({ resource: patient(random) }));
      const created = await repo.transaction((tx) => tx.createMany(batch));
      for (const p of created as { id: string; name: { family: string }[]; birthDate: string }[]) {
        known.patients.push(p.id);
        known.families.push(p.name[0]!.family);
        known.births.push(p.birthDate);
      }
      written += created.length;
    }
    const existing = await db.query<{ n: number }>(practice.id, "SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Observation'");
    let observations = Number(existing[0]?.n ?? 0);
    while (observations < backend.scale.observations) {
      const batch = Array.from({ length: Math.min(BATCH, backend.scale.observations - observations) }, () => ({
        resource: observation(random, known.patients[Math.floor(random() * known.patients.length)]!),
      }));
      await repo.transaction((tx) => tx.createMany(batch));
      observations += batch.length;
      written += batch.length;
    }
    await db.asOwner((sql) => sql.exec('ANALYZE'));
    await explainSearches(db, practice.id, known);
    // Every seeded write has its AuditEvent; chain them now, as a running server would have
    // while the data arrived, rather than during the measurements.
    const sealStarted = performance.now();
    const sealed = await new AuditSealer(db).sealAll();
    const sealSeconds = (performance.now() - sealStarted) / 1000;
    emit({ bench: 'audit_seal', db: backend.name, events: sealed, seconds: round(sealSeconds), events_per_s: round(sealed / sealSeconds) });
    // Measure a settled database, as a practice's would be, not one still vacuuming a bulk load.
    await db.asOwner((sql) => sql.exec('VACUUM ANALYZE'));
  } finally {
    await db.close();
  }
  const seconds = (performance.now() - started) / 1000;
  emit({ bench: 'bulk_seed', db: backend.name, resources: written, seconds: round(seconds), resources_per_s: round(written / seconds), patients: backend.scale.patients, observations: backend.scale.observations });
}

/** Prints how the main searches are planned at scale: every filter should be an index scan. */
async function explainSearches(db: Database, tenantId: string, known: { patients: string[]; families: string[]; births: string[] }): Promise<void> {
  const registry = SearchParameterRegistry.spec();
  const searches: [string, string][] = [
    ['Patient', `name=${known.families[0]}`],
    ['Patient', `birthdate=${known.births[0]}`],
    ['Observation', `subject=Patient/${known.patients[0]}&code=http://loinc.org|${LOINC[0]}`],
  ];
  for (const [type, query] of searches) {
    const built = buildSearchQuery(tenantId, registry, parseSearchRequest(type, new URLSearchParams(query)));
    const rows = await db.query<{ 'QUERY PLAN': string }>(tenantId, `EXPLAIN SELECT r.id, r.content FROM resource r WHERE ${built.where} ORDER BY r.id LIMIT 21`, built.params.values);
    const plan = rows.map((r) => r['QUERY PLAN']);
    emit({ bench: 'plan', query: `${type}?${query.replace(/=[^&]+/g, '=…')}`, seq_scan: plan.some((line) => line.includes('Seq Scan')), nodes: plan.map((l) => l.trim()).filter((l) => l.startsWith('->') || /^(Limit|Nested|Index|Sort)/.test(l)).map((l) => l.replace(/\s+\(cost.*$/, '')) });
  }
}

const UNGUARDED_PORT = PORT + 2;
/**
 * The overhead is measured under two loads. `light`: BENCH_OVERHEAD_CONCURRENCY clients per arm
 * (8, as every other figure, unless set). `saturating`: BENCH_OVERHEAD_SATURATING clients (32):
 * enough to keep the CPUs busy under both arms, so the rates compare capacity (throughput, what
 * the 15% target is about). Under the light load an arm that waits on commits is not out of CPU,
 * and its rate also counts each answer's wait for its audit entry (latency).
 */
const OVERHEAD_LOADS = [
  { load: 'light', concurrency: Number(process.env.BENCH_OVERHEAD_CONCURRENCY ?? CONCURRENCY) },
  { load: 'saturating', concurrency: Number(process.env.BENCH_OVERHEAD_SATURATING ?? 32) },
] as const;
/**
 * BENCH_OVERHEAD_CONTROL=1: both arms run without access checks and audit entries, so the figure
 * shows how far apart two identical servers measure (the method's own error).
 */
const OVERHEAD_CONTROL = process.env.BENCH_OVERHEAD_CONTROL === '1';

/** BENCH_OVERHEAD_ROUNDS: pairs of runs (one per arm) behind each overhead figure. */
const OVERHEAD_ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? 6);

/** The machine's busy and total CPU time so far (Linux /proc/stat), to tell a saturated run from a waiting one. */
function cpuTimes(): { busy: number; total: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  // user nice system idle iowait irq softirq steal
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1, 9).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * The cost of access checks and audit entries: the same server twice on the same database, one
 * with them and one without (BENCH_UNGUARDED). A virtual machine's speed wanders by tens of
 * percent from one minute to the next (two identical servers measured a minute apart differed
 * by 20%), so the arms run in back-to-back pairs, alternating which goes first, and the figure
 * is the median of the pairs' ratios: each ratio compares runs made under the same conditions.
 */
async function measureOverhead(backend: Backend): Promise<void> {
  const env = { ...backend.env, ...ADMIN, HOST: '127.0.0.1', UNICHART_PRACTICE_NAME: 'Bench' };
  const guardedServer = await startProcess('./bench-server.ts', { ...env, PORT: String(PORT), ...(OVERHEAD_CONTROL ? { BENCH_UNGUARDED: '1' } : {}) });
  const unguardedServer = await startProcess('./bench-server.ts', { ...env, PORT: String(UNGUARDED_PORT), BENCH_UNGUARDED: '1' });
  const origins = { guarded: `http://127.0.0.1:${PORT}`, unguarded: `http://127.0.0.1:${UNGUARDED_PORT}` };
  // Both servers sign in once (the token of the second is used for both): signing in leaves
  // state in a process (the password hasher's threads and memory) that makes it measurably
  // slower afterwards, which must not fall on one arm only.
  await signIn(origins.unguarded);
  await signIn(origins.guarded);
  const random = createRandom(21);
  const families: string[] = [];
  const duration = SECONDS * 1000;
  const figures: { bench: string; next: () => LoadRequest; onBody?: (status: number, body: string) => unknown }[] = [
    {
      bench: 'patient_create',
      next: () => ({ method: 'POST', path: '/fhir/R4/Patient', body: JSON.stringify(patient(random)) }),
      onBody: (status, body) => status === 201 && families.push(JSON.parse(body).name[0].family),
    },
    { bench: 'patient_search_name', next: () => ({ method: 'GET', path: `/fhir/R4/Patient?name=${families[Math.floor(random() * families.length)]}` }) },
  ];
  try {
    for (const figure of figures) {
      // The previous figure's writes leave vacuum and checkpoint work that would land on
      // whichever arm runs next: do it now, so both arms meet the same settled tables.
      await settleDatabase(backend.env.DATABASE_URL!);
      for (const { load, concurrency } of OVERHEAD_LOADS) {
        const run = async (arm: 'guarded' | 'unguarded', durationMs: number) => {
          const before = cpuTimes();
          const result = await runLoad(origins[arm], { headers: auth, concurrency, durationMs, next: figure.next, onBody: figure.onBody });
          const after = cpuTimes();
          return { ...result, ...(before && after ? { cpu_busy_pct: round((100 * (after.busy - before.busy)) / (after.total - before.total)) } : {}) };
        };
        // Warm both servers (connections, prepared statements, JIT) before anything counts.
        for (const arm of ['guarded', 'unguarded'] as const) await run(arm, Math.min(duration, 3000));
        const runs: Record<'guarded' | 'unguarded', Awaited<ReturnType<typeof run>>[]> = { guarded: [], unguarded: [] };
        const ratios: number[] = [];
        for (let pair = 0; pair < OVERHEAD_ROUNDS; pair++) {
          const order = pair % 2 === 0 ? (['guarded', 'unguarded'] as const) : (['unguarded', 'guarded'] as const);
          for (const arm of order) {
            const result = await run(arm, duration);
            runs[arm].push(result);
            emit({ bench: `overhead_${figure.bench}`, db: backend.name, load, arm, pair, concurrency, ...result });
          }
          ratios.push(runs.guarded[pair]!.rps / runs.unguarded[pair]!.rps);
        }
        const ratio = median(ratios);
        const average = (arm: 'guarded' | 'unguarded', key: 'rps' | 'p50' | 'cpu_busy_pct') => round(mean(runs[arm].map((r) => r[key] ?? NaN)));
        emit({
          bench: `overhead_${figure.bench}`,
          db: backend.name,
          load,
          concurrency,
          seconds_per_run: SECONDS,
          rounds: OVERHEAD_ROUNDS,
          ...(OVERHEAD_CONTROL ? { control: 'both arms unguarded' } : {}),
          guarded_rps: average('guarded', 'rps'),
          unguarded_rps: average('unguarded', 'rps'),
          guarded_p50_ms: average('guarded', 'p50'),
          unguarded_p50_ms: average('unguarded', 'p50'),
          ...(runs.guarded[0]?.cpu_busy_pct !== undefined ? { guarded_cpu_busy_pct: average('guarded', 'cpu_busy_pct'), unguarded_cpu_busy_pct: average('unguarded', 'cpu_busy_pct') } : {}),
          ratio: round(ratio),
          ratios: ratios.map(round),
          slower_pct: round((1 - ratio) * 100),
          ...(load === 'saturating' ? { target_pct: 15 } : {}),
        });
      }
    }
  } finally {
    await stopProcess(unguardedServer);
    await stopProcess(guardedServer);
  }
}

async function runBackend(backend: Backend): Promise<void> {
  const known = { patients: [] as string[], families: [] as string[], births: [] as string[] };
  let server = await startProcess('./bench-server.ts', { ...backend.env, ...ADMIN, PORT: String(PORT), HOST: '127.0.0.1', UNICHART_PRACTICE_NAME: 'Bench' });
  if (SUITE !== 'scheduling') await measureInteractions(backend, 'small', known);
  await signIn(`http://127.0.0.1:${PORT}`);
  await measureScheduling(`http://127.0.0.1:${PORT}`, auth, { concurrency: CONCURRENCY, durationMs: SECONDS * 1000 }, (bench, result, extra) =>
    emit({ bench, db: backend.name, concurrency: CONCURRENCY, ...result, ...extra }),
  );
  await stopProcess(server);
  if (SUITE === 'scheduling') return;
  await measureSyntheaImport(backend);
  await seed(backend, known);
  server = await startProcess('./bench-server.ts', { ...backend.env, ...ADMIN, PORT: String(PORT), HOST: '127.0.0.1' });
  await measureInteractions(backend, `${backend.scale.patients}_patients_${backend.scale.observations}_observations`, known);
  await stopProcess(server);
}

const only = process.env.BENCH_DB;
/**
 * `scheduling`: only the scheduling figures (a quick run). `overhead`: only access checks and
 * audit on versus off (PostgreSQL: two server processes share its database). `demo`: only the
 * demo practice's load.
 */
const SUITE = process.env.BENCH_SUITE;
const dataDir = await mkdtemp(join(tmpdir(), 'unichart-bench-'));
try {
  if (SUITE === 'overhead') {
    const url = await ensureBenchDatabase('unichart_bench_overhead');
    if (url) await measureOverhead({ name: 'postgres', env: { DATABASE_URL: url }, scale: { patients: 0, observations: 0 }, open: () => openDatabase({ url }) });
    else emit({ bench: 'skipped', db: 'postgres', reason: `cannot connect to ${PG_ADMIN_URL}` });
    emit({ bench: 'skipped', db: 'pglite', reason: 'the overhead suite runs two servers on one database: PostgreSQL only' });
  }
  if (SUITE !== 'scheduling' && SUITE !== 'overhead' && SUITE !== 'demo') await measureCeiling();
  if (SUITE !== 'overhead' && SUITE !== 'demo' && (!only || only === 'postgres')) {
    const url = await ensureBenchDatabase('unichart_bench');
    if (url) {
      await runBackend({
        name: 'postgres',
        env: { DATABASE_URL: url },
        scale: { patients: Number(process.env.BENCH_PATIENTS ?? 100_000), observations: Number(process.env.BENCH_OBSERVATIONS ?? 1_000_000) },
        open: () => openDatabase({ url }),
      });
    } else emit({ bench: 'skipped', db: 'postgres', reason: `cannot connect to ${PG_ADMIN_URL}` });
  }
  if ((!only || only === 'pglite') && (!SUITE || SUITE === 'demo')) await measureDemoLoad(join(dataDir, 'demo'), emit);
  if (SUITE !== 'overhead' && SUITE !== 'demo' && (!only || only === 'pglite')) {
    const dir = join(dataDir, 'pglite');
    await runBackend({
      name: 'pglite',
      env: { UNICHART_DATA_DIR: dir, DATABASE_URL: '' },
      scale: { patients: Number(process.env.BENCH_PGLITE_PATIENTS ?? 10_000), observations: Number(process.env.BENCH_PGLITE_OBSERVATIONS ?? 100_000) },
      open: () => openDatabase({ dataDir: dir }),
    });
  }
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
