/** An import as GET /admin/imports lists it (packages/server/src/imports/import-store.ts). */
export interface EntryCounts {
  readonly entriesTotal: number;
  readonly entriesDone: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
}

export interface ImportProblem {
  /** `entry 3` of a Bundle or `line 12` of NDJSON, when the problem is in one part. */
  readonly at?: string;
  /** FHIRPath of the element at fault, when the server names one. */
  readonly path?: string;
  readonly message: string;
}

export interface ImportFile extends EntryCounts {
  readonly name: string;
  readonly sizeBytes: number;
  readonly status: 'waiting' | 'running' | 'done' | 'failed';
  readonly problemCount: number;
  /** Only in the answer for one import. */
  readonly problems?: readonly ImportProblem[];
}

export interface DataImport extends EntryCounts {
  readonly id: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly startedBy: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly failure?: string;
  readonly files: readonly ImportFile[];
}

export const isImportRunning = (dataImport: Pick<DataImport, 'status'>) => dataImport.status === 'queued' || dataImport.status === 'running';
