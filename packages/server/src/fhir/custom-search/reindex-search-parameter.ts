import type { SearchParameter, Task } from '@medplum/fhirtypes';
import type { Database } from '../../db/database.js';
import { listPractices } from '../../practice/practices.js';
import { FhirRepository, type RepositoryHooks } from '../repository.js';
import type { PracticeRegistries } from './practice-registries.js';

export const REINDEX_TASK_SYSTEM = 'https://unichart.dev/fhir/CodeSystem/task';
const BATCH = 500;

/**
 * When a practice adds or changes a SearchParameter, resources already stored are indexed for
 * it in the background. Progress is a FHIR Task (focus = the SearchParameter) that anyone may
 * search for; a Task still in progress after a restart is resumed from the beginning, which is
 * safe because each batch replaces the rows it writes.
 */
export class SearchParameterReindexer {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly registries: PracticeRegistries,
    private readonly hooks: RepositoryHooks,
    private readonly log: (message: string, error?: unknown) => void = () => undefined,
  ) {}

  async start(tenantId: string, parameter: SearchParameter): Promise<Task> {
    const repo = await this.repository(tenantId);
    const { resource: task } = await repo.transaction((tx) =>
      tx.create({
        resourceType: 'Task',
        status: 'in-progress',
        intent: 'order',
        code: { coding: [{ system: REINDEX_TASK_SYSTEM, code: 'reindex' }], text: `Index existing resources for search parameter "${parameter.code}"` },
        focus: { reference: `SearchParameter/${parameter.id}` },
        authoredOn: new Date().toISOString(),
        lastModified: new Date().toISOString(),
      } satisfies Task),
    );
    this.launch(tenantId, task as Task, parameter);
    return task as Task;
  }

  /** On start-up: finish what a previous process left in progress. */
  async resumeAll(): Promise<void> {
    for (const practice of await listPractices(this.db)) {
      const repo = await this.repository(practice.id);
      const tasks = await repo.reader().search({
        resourceType: 'Task',
        filters: [{ key: 'code', values: [`${REINDEX_TASK_SYSTEM}|reindex`] }, { key: 'status', values: ['in-progress'] }],
        count: 100, offset: 0, sort: [], total: 'none', include: [], revinclude: [],
      });
      for (const match of tasks.matches) {
        const task = JSON.parse(match.content) as Task;
        const id = task.focus?.reference?.split('/')[1];
        if (!id) continue;
        const parameter = await repo.reader().readResource<SearchParameter>('SearchParameter', id).catch(() => undefined);
        if (parameter) this.launch(practice.id, task, parameter);
      }
    }
  }

  /** Resolves when every reindex in progress has finished (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private launch(tenantId: string, task: Task, parameter: SearchParameter): void {
    const key = `${tenantId}/${task.id}`;
    const run = this.run(tenantId, task, parameter)
      .catch((error) => this.log(`reindex of SearchParameter/${parameter.id} failed`, error))
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  private async run(tenantId: string, task: Task, parameter: SearchParameter): Promise<void> {
    const repo = await this.repository(tenantId);
    const bases = (parameter.base ?? []) as string[];
    const total = await repo.reader().countResources(bases);
    let done = 0;
    try {
      for (const base of bases) {
        let afterId = '';
        for (;;) {
          const batch = await repo.transaction((tx) => tx.reindexBatch(base, [parameter.code!], afterId, BATCH));
          if (!batch.lastId) break;
          afterId = batch.lastId;
          done += batch.count;
          await this.progress(repo, task, 'in-progress', done, total);
        }
      }
      await this.progress(repo, task, 'completed', done, total);
    } catch (error) {
      await this.progress(repo, task, 'failed', done, total).catch(() => undefined);
      throw error;
    }
  }

  private async progress(repo: FhirRepository, task: Task, status: Task['status'], done: number, total: number): Promise<void> {
    await repo.transaction(async (tx) => {
      const current = await tx.readResource<Task>('Task', task.id!);
      await tx.update({
        ...current,
        status,
        lastModified: new Date().toISOString(),
        businessStatus: { text: `${done} of ${total} resources indexed` },
        output: [
          { type: { text: 'resources indexed' }, valueInteger: done },
          { type: { text: 'resources to index' }, valueInteger: total },
        ],
      });
    });
  }

  private async repository(tenantId: string): Promise<FhirRepository> {
    return new FhirRepository(this.db, tenantId, await this.registries.registryFor(tenantId), this.hooks);
  }
}
