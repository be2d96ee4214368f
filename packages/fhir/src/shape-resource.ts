import { tryGetDataType } from '@medplum/core';

type Json = Record<string, unknown>;

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
const ALWAYS = ['resourceType', 'id', 'meta'];

/**
 * Applies `_summary` and `_elements` to a resource: keeps the requested top-level elements
 * plus the mandatory ones, and tags the result SUBSETTED as the spec requires.
 */
export function shapeResource(resource: Json, summary: string | undefined, elements: readonly string[] | undefined): Json {
  if ((!summary || summary === 'false') && !elements?.length) return resource;
  const schema = tryGetDataType(resource.resourceType as string);
  let keep: Set<string> | undefined;
  let drop: Set<string> | undefined;
  if (elements?.length) {
    keep = new Set([...ALWAYS, ...elements.map((e) => e.split('.').pop()!.replace(/^[A-Z][A-Za-z]*\./, ''))]);
    schema?.mandatoryProperties?.forEach((p) => keep!.add(p));
  } else if (summary === 'true') {
    keep = new Set([...ALWAYS, ...(schema?.summaryProperties ?? [])]);
  } else if (summary === 'text') {
    keep = new Set([...ALWAYS, 'text', ...(schema?.mandatoryProperties ?? [])]);
  } else if (summary === 'data') {
    drop = new Set(['text']);
  }
  const shaped: Json = {};
  for (const [key, value] of Object.entries(resource)) {
    const name = key.startsWith('_') ? key.slice(1) : key;
    if (keep && !keep.has(name) && !keepsChoice(keep, name)) continue;
    if (drop?.has(name)) continue;
    shaped[key] = value;
  }
  const meta = { ...((shaped.meta as Json | undefined) ?? {}) };
  meta.tag = [...((meta.tag as unknown[] | undefined) ?? []), SUBSETTED];
  shaped.meta = meta;
  return shaped;
}

/** `value` in _elements keeps `valueQuantity`; summary lists hold `value[x]`. */
function keepsChoice(keep: Set<string>, name: string): boolean {
  for (const k of keep) {
    const base = k.endsWith('[x]') ? k.slice(0, -3) : k;
    if (name.startsWith(base) && /^[A-Z]/.test(name.slice(base.length))) return true;
  }
  return false;
}
