import { withAuditContext } from '../audit/audit-context.js';
import type { Database } from '../db/database.js';
import type { FhirRepository } from '../fhir/repository.js';
import { importSources, type EntryTally, type ImportSource } from '../fhir/import/import-files.js';
import { ValidationPool } from '../fhir/import/validation-pool.js';
import { renewLease, type ClaimedJob } from '../jobs/job-queue.js';
import type { ImportStore, WaitingFile } from './import-store.js';

export interface ImportRunnerDeps {
  readonly db: Database;
  readonly store: ImportStore;
  readonly repositoryFor: (tenantId: string) => Promise<FhirRepository>;
  readonly fhirBaseUrl: string;
  readonly leaseMs: number;
  /** True once the server is closing: no new file is started. */
  readonly stopping: () => boolean;
}

/** Progress is written at most this often while a file imports, and always when it ends. */
const PROGRESS_EVERY_MS = 250;

/**
 * The job that imports an upload. Each file goes through the same importer as the CLI (a
 * Bundle in one transaction, NDJSON in chunks), written as the administrator who uploaded it.
 * A stop between files leaves the rest for the job's retry; after a crash the job runs again
 * once its lease has run out. Either way the file that was in hand when the process died is
 * reported as interrupted and the files not yet started are imported.
 */
export async function runImport(job: ClaimedJob, deps: ImportRunnerDeps): Promise<string> {
  const { importId } = job.payload as { importId: string };
  const tenantId = job.tenantId;
  const begun = await deps.store.begin(tenantId, importId);
  if (!begun) return 'already finished';
  const interrupted = begun.resumed ? await deps.store.failInterrupted(tenantId, importId) : 0;
  const files = await deps.store.waitingFiles(tenantId, importId);
  const progress = new FileProgress(deps, job, importId);
  const validationPool = new ValidationPool();
  // The claim is kept on a clock, not between commits: one large Bundle may take longer than the
  // lease. Should another process have taken the job meanwhile, this run starts no further file.
  let claimLost = false;
  const keeper = setInterval(() => {
    renewLease(deps.db, job, deps.leaseMs).then((held) => (claimLost ||= !held), () => undefined);
  }, Math.max(1000, deps.leaseMs / 3));
  try {
    await withAuditContext(begun.starter, () =>
      deps.repositoryFor(tenantId).then((repo) =>
        importSources(repo, deps.fhirBaseUrl, files.map((file) => progress.sourceOf(file)), {
          validationPool,
          writesOnly: true,
          stopping: () => claimLost || deps.stopping(),
          onEntries: (name, tally) => progress.add(name, tally),
          onProgress: ({ file, problems }) => progress.finish(file, problems),
        }),
      ),
    );
  } finally {
    clearInterval(keeper);
    await validationPool.close();
  }
  if (claimLost) throw new Error(`import ${importId} was taken up by another process`);
  const left = (await deps.store.waitingFiles(tenantId, importId)).length;
  // The job is retried after the restart and takes up the files not yet started.
  if (left > 0) throw new Error(`stopped with ${left} file(s) of import ${importId} still to import`);
  const failure = interrupted > 0 ? 'The server stopped during the import; the file it was importing then is marked below.' : undefined;
  await deps.store.finish(tenantId, importId, failure);
  return failure ?? 'imported';
}

interface Counts {
  entriesDone: number;
  created: number;
  updated: number;
  failed: number;
}

/** Each file's counts as its commits land, written to the store for the screen to poll. */
class FileProgress {
  private readonly files = new Map<string, { file: WaitingFile; counts: Counts; savedAt: number }>();

  constructor(
    private readonly deps: ImportRunnerDeps,
    private readonly job: ClaimedJob,
    private readonly importId: string,
  ) {}

  /** The file is marked running when the importer first reads it, so a restart knows it was in hand. */
  sourceOf(file: WaitingFile): ImportSource {
    this.files.set(file.name, { file, counts: { entriesDone: 0, created: 0, updated: 0, failed: 0 }, savedAt: 0 });
    const started = () => this.deps.store.startFile(this.job.tenantId, this.importId, file.position);
    return {
      name: file.name,
      text: async () => {
        await started();
        return file.content;
      },
      async *lines() {
        await started();
        yield* file.content.split(/\r?\n/);
      },
    };
  }

  async add(name: string, tally: EntryTally): Promise<void> {
    const entry = this.files.get(name)!;
    entry.counts.entriesDone += tally.done;
    entry.counts.created += tally.created;
    entry.counts.updated += tally.updated;
    entry.counts.failed += tally.failed;
    if (Date.now() - entry.savedAt < PROGRESS_EVERY_MS) return;
    entry.savedAt = Date.now();
    await this.deps.store.saveProgress(this.job.tenantId, this.importId, entry.file.position, entry.counts);
  }

  /** A finished file counts every entry as done; what was not written failed (a refused Bundle fails whole). */
  async finish(name: string, problems: readonly { at?: string; path?: string; message: string }[]): Promise<void> {
    const { file, counts } = this.files.get(name)!;
    const written = counts.created + counts.updated;
    const final = { ...counts, entriesDone: Math.max(file.entriesTotal, written), failed: Math.max(0, file.entriesTotal - written) };
    await this.deps.store.finishFile(
      this.job.tenantId,
      this.importId,
      file.position,
      final,
      problems.map(({ at, path, message }) => ({ at, path, message })),
    );
  }
}
