import { Pool } from 'undici';

export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly body?: string;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * A closed-loop load: `concurrency` clients, each sending its next request as soon as the
 * previous answer arrives, for `durationMs`. Latencies in milliseconds.
 */
export async function runLoad(origin: string, options: {
  concurrency: number;
  /** Sent with every request (the bearer token). */
  headers?: Record<string, string>;
  durationMs: number;
  next: (i: number) => LoadRequest;
  onBody?: (status: number, body: string) => void;
}): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: options.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const request = options.next(counter++);
      const t0 = performance.now();
      try {
        const response = await pool.request({
          method: request.method,
          path: request.path,
          body: request.body,
          headers: { ...options.headers, ...(request.body ? { 'content-type': 'application/fhir+json' } : {}) },
        });
        const text = await response.body.text();
        latencies.push(performance.now() - t0);
        if (response.statusCode >= 400) errors++;
        options.onBody?.(response.statusCode, text);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
  return { requests: latencies.length, errors, rps: round(latencies.length / elapsed), p50: pct(0.5), p95: pct(0.95), p99: pct(0.99) };
}

export function round(n: number): number {
  return Math.round(n * 100) / 100;
}
