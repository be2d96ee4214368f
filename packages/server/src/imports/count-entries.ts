import { asTransaction } from '../fhir/import/import-files.js';

/**
 * How many entries a file holds, the denominator of its progress: NDJSON lines that are not
 * blank, a Bundle's entries, or 1 for a single resource. A file that is not FHIR JSON holds
 * none; the import reports why.
 */
export function countEntries(name: string, content: string): number {
  if (name.endsWith('.ndjson')) return content.split('\n').filter((line) => line.trim()).length;
  try {
    return asTransaction(JSON.parse(content)).entry?.length ?? 0;
  } catch {
    return 0;
  }
}
