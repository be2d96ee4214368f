import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Validation of bulk imports in worker threads: R4 structural validation is the largest cost
 * of an import, and here it runs beside the main thread's indexing and writing. The answer
 * says which entries passed; the others are validated again on the main thread, which
 * reports their problems as usual.
 */
export class ValidationPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, (valid: boolean[]) => void>();
  private nextId = 0;
  private turn = 0;

  constructor(
    size = Math.max(1, availableParallelism() - 1),
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./validation-worker.mjs', import.meta.url));
      worker.on('message', (message: { id: number; valid: boolean[] }) => {
        this.waiting.get(message.id)?.(message.valid);
        this.waiting.delete(message.id);
        if (this.waiting.size === 0) this.workers.forEach((w) => w.unref());
      });
      // A worker that dies trusts nothing: every waiting file is validated on the main thread.
      worker.on('error', (error) => {
        this.onError(error);
        for (const resolve of this.waiting.values()) resolve([]);
        this.waiting.clear();
      });
      worker.unref();
      return worker;
    });
  }

  /** Which entries of the transaction Bundle (as JSON text) are valid. */
  validate(bundleText: string): Promise<boolean[]> {
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length]!;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      // Keep the process alive while an answer is awaited; idle workers do not hold it open.
      worker.ref();
      worker.postMessage({ id, text: bundleText });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
