import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';

/** A compiled FHIRPath expression: resource (or element) in, flat list of values out. */
export type Extractor = (input: unknown) => unknown[];

const SIMPLE_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/;
const AS_CAST = /^\(?([A-Za-z][A-Za-z0-9.]*?)(?:\s+as\s+|\.as\()([A-Za-z]+)\)?\)?$/;
const RESOLVE_IS = /^([A-Za-z][A-Za-z0-9.]*)\.where\(resolve\(\) is ([A-Za-z]+)\)$/;

/**
 * Compiles a search parameter expression. Most R4 expressions are plain paths, casts of a
 * choice element, or `.where(resolve() is X)`; those run as direct property walks, which is
 * an order of magnitude faster than the general engine on the write path. Anything else goes
 * to fhirpath.js with the R4 model.
 */
export function compileExpression(expression: string, rootType?: string): Extractor {
  const parts = splitUnion(expression);
  const extractors = parts.map((part) => compilePart(part.trim(), rootType));
  if (extractors.length === 1) return extractors[0]!;
  return (input) => extractors.flatMap((extract) => extract(input));
}

/** Splits `a | b | c` at the top level (not inside parentheses or strings). */
export function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'") quote = !quote;
    else if (quote) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(expression.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(expression.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

function compilePart(part: string, rootType: string | undefined): Extractor {
  const unwrapped = stripParens(part);
  if (SIMPLE_PATH.test(unwrapped)) return pathWalker(pathSegments(unwrapped, rootType));
  const cast = AS_CAST.exec(unwrapped);
  if (cast && SIMPLE_PATH.test(cast[1]!)) {
    const segments = pathSegments(cast[1]!, rootType);
    const last = segments.pop();
    if (last) return pathWalker([...segments, last + capitalize(cast[2]!)]);
  }
  const resolveIs = RESOLVE_IS.exec(unwrapped);
  if (resolveIs && SIMPLE_PATH.test(resolveIs[1]!)) {
    const walk = pathWalker(pathSegments(resolveIs[1]!, rootType));
    const prefix = `${resolveIs[2]}/`;
    return (input) => walk(input).filter((ref) => referenceTargets(ref, prefix));
  }
  const rewritten = unwrapped.replace(/resolve\(\) is ([A-Za-z]+)/g, "reference.startsWith('$1/')");
  const compiled = fhirpath.compile(rewritten, r4model as never);
  return (input) => {
    try {
      return compiled(input as never) as unknown[];
    } catch {
      return [];
    }
  };
}

function referenceTargets(ref: unknown, prefix: string): boolean {
  const reference = (ref as { reference?: string })?.reference;
  if (typeof reference !== 'string') return false;
  return reference.startsWith(prefix) || reference.includes(`/${prefix}`);
}

function stripParens(part: string): string {
  let p = part;
  while (p.startsWith('(') && p.endsWith(')') && balanced(p.slice(1, -1))) p = p.slice(1, -1).trim();
  return p;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Drops the leading resource-type segment (`Patient.name` → `name`). */
function pathSegments(path: string, rootType: string | undefined): string[] {
  const segments = path.split('.');
  const head = segments[0]!;
  if (/^[A-Z]/.test(head) && (rootType === undefined || head === rootType || head === 'Resource' || head === 'DomainResource')) {
    segments.shift();
  }
  return segments;
}

function pathWalker(segments: string[]): Extractor {
  return (input) => {
    let current: unknown[] = [input];
    for (const segment of segments) {
      const next: unknown[] = [];
      for (const node of current) {
        if (node === null || typeof node !== 'object') continue;
        const value = (node as Record<string, unknown>)[segment];
        if (value === undefined || value === null) continue;
        if (Array.isArray(value)) for (const v of value) next.push(v);
        else next.push(value);
      }
      current = next;
      if (current.length === 0) break;
    }
    return current;
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
