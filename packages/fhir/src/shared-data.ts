import { existsSync } from 'node:fs';

/**
 * Where the public sample files (`shared/data`: FHIR examples, Synthea, X12, HL7 v2) are, for
 * tests and benchmarks that read them when present: UNICHART_SHARED_DATA, else the folder
 * beside the checkout, else the workplace's copy. The product itself never needs them.
 */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env.UNICHART_SHARED_DATA, new URL('../../../../shared/data/', import.meta.url).pathname, '/work/shared/data/'];
  const found = candidates.find((dir): dir is string => Boolean(dir) && existsSync(dir!));
  return found && (found.endsWith('/') ? found : `${found}/`);
}
