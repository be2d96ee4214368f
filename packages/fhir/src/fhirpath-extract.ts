import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';

const model = r4model as unknown as { path2Type: Record<string, string | { code: string }>; choiceTypePaths: Record<string, string[]> };

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
  if (SIMPLE_PATH.test(unwrapped)) {
    const steps = planSteps(unwrapped, rootType);
    if (steps) return pathWalker(steps);
  }
  const cast = AS_CAST.exec(unwrapped);
  if (cast && SIMPLE_PATH.test(cast[1]!)) {
    const steps = planSteps(cast[1]!, rootType, cast[2]);
    if (steps) return pathWalker(steps);
  }
  const resolveIs = RESOLVE_IS.exec(unwrapped);
  if (resolveIs && SIMPLE_PATH.test(resolveIs[1]!)) {
    const steps = planSteps(resolveIs[1]!, rootType);
    if (steps) {
      const walk = pathWalker(steps);
      const prefix = `${resolveIs[2]}/`;
      return (input) => walk(input).filter((ref) => referenceTargets(ref, prefix));
    }
  }
  const rewritten = unwrapped.replace(/resolve\(\) is ([A-Za-z]+)/g, "(reference.startsWith('$1/') or reference.contains('/$1/'))");
  const compiled = fhirpath.compile(rewritten, r4model as never);
  return (input) => {
    try {
      return compiled(input as never) as unknown[];
    } catch {
      return [];
    }
  };
}

/**
 * A path relative to an element of unknown type (a composite's component expression such
 * as `value.as(Quantity)`): plain properties, with a cast naming the choice property.
 */
function relativeSteps(segments: string[], castTo: string | undefined): Step[] {
  const steps: Step[] = segments.map((segment) => [segment]);
  if (castTo) steps[steps.length - 1] = [segments[segments.length - 1]! + capitalize(castTo)];
  return steps;
}

/** One step of a direct walk: the JSON property names that hold this element. */
type Step = readonly string[];

/**
 * Turns `Type.a.b` into property names using the R4 model, so that a choice element
 * (`Observation.effective`) reads every `effective[x]` property (`effectiveDateTime`,
 * `effectivePeriod`, ...). `castTo` keeps only one choice type (`value as Quantity`).
 * Answers undefined when the path is not fully known to the model: the caller then uses
 * the general engine.
 */
function planSteps(path: string, rootType: string | undefined, castTo?: string): Step[] | undefined {
  const segments = path.split('.');
  const head = segments[0]!;
  if (!/^[A-Z]/.test(head)) return relativeSteps(segments, castTo);
  segments.shift();
  let context = head === 'Resource' || head === 'DomainResource' ? rootType ?? head : head;
  if (rootType && context !== rootType) return undefined;
  const steps: Step[] = [];
  for (const [i, segment] of segments.entries()) {
    const key = `${context}.${segment}`;
    const choices = model.choiceTypePaths[key];
    const last = i === segments.length - 1;
    if (choices) {
      if (!last) return undefined;
      const wanted = castTo ? choices.filter((c) => c.toLowerCase() === castTo.toLowerCase()) : choices;
      if (wanted.length === 0) return undefined;
      steps.push(wanted.map((c) => segment + capitalize(c)));
      return steps;
    }
    const type = model.path2Type[key] ?? (head === 'Resource' || head === 'DomainResource' ? model.path2Type[`Resource.${segment}`] ?? model.path2Type[`DomainResource.${segment}`] : undefined);
    if (type === undefined) return undefined;
    steps.push([segment]);
    const typeName = typeof type === 'string' ? type : type.code;
    context = typeName === 'BackboneElement' || typeName === 'Element' ? key : typeName;
  }
  // A cast on a plain (non-choice) element: keep it only if the element is of that type.
  if (castTo && context.toLowerCase() !== castTo.toLowerCase()) return undefined;
  return steps;
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

function pathWalker(steps: readonly Step[]): Extractor {
  return (input) => {
    let current: unknown[] = [input];
    for (const names of steps) {
      const next: unknown[] = [];
      for (const node of current) {
        if (node === null || typeof node !== 'object') continue;
        for (const name of names) {
          const value = (node as Record<string, unknown>)[name];
          if (value === undefined || value === null) continue;
          if (Array.isArray(value)) for (const v of value) next.push(v);
          else next.push(value);
        }
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
