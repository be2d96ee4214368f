import { parentPort } from 'node:worker_threads';
import { validateResource } from '@unichart/fhir';
import type { Bundle } from '@medplum/fhirtypes';

/**
 * Validates the entries of a transaction Bundle off the main thread. `urn:uuid:` references
 * are first pointed at a placeholder id of the right type, as the transaction will point them
 * at real ids, so reference target rules are checked as they will apply.
 */
function validEntries(text: string): boolean[] {
  const bundle = JSON.parse(text) as Bundle;
  const entries = bundle.entry ?? [];
  const targets = new Map<string, string>();
  for (const entry of entries) {
    if (entry.fullUrl && entry.resource?.resourceType) targets.set(entry.fullUrl, `${entry.resource.resourceType}/00000000-0000-4000-8000-000000000000`);
  }
  const rewrite = (node: unknown): unknown => {
    if (typeof node === 'string') return targets.get(node) ?? node;
    if (Array.isArray(node)) return node.map(rewrite);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewrite(v)]));
    return node;
  };
  return entries.map((entry) => {
    if (!entry.resource) return false;
    try {
      validateResource(rewrite(entry.resource));
      return true;
    } catch {
      return false;
    }
  });
}

parentPort!.on('message', (message: { id: number; text: string }) => {
  let valid: boolean[] = [];
  try {
    valid = validEntries(message.text);
  } catch {
    // Unparseable: nothing is trusted, the main thread reports the problem.
  }
  parentPort!.postMessage({ id: message.id, valid });
});
