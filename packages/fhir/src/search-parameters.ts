import type { SearchParameter } from '@medplum/fhirtypes';
import { resourceTypes, specSearchParameters } from './definitions.js';
import { compileExpression, splitUnion, type Extractor } from './fhirpath-extract.js';

export type SearchParamType = 'string' | 'token' | 'date' | 'reference' | 'number' | 'quantity' | 'uri' | 'composite' | 'special';

export interface SearchParamComponent {
  readonly param: SearchParamDef;
  readonly extract: Extractor;
}

/** A search parameter as it applies to one resource type, with its expression compiled. */
export interface SearchParamDef {
  readonly code: string;
  readonly type: SearchParamType;
  readonly url: string;
  readonly resourceType: string;
  readonly expression: string;
  readonly targets: readonly string[];
  readonly extract: Extractor;
  readonly components?: readonly SearchParamComponent[];
}

/** Parameters answered from the resource table's own columns rather than an index table. */
export const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);

/**
 * Which search parameters each resource type has. Built from the spec's SearchParameter
 * bundle; a practice's own SearchParameter resources layer on top with `withCustom`.
 */
export class SearchParameterRegistry {
  private readonly byType = new Map<string, Map<string, SearchParamDef>>();
  private readonly byUrl = new Map<string, SearchParameter>();

  constructor(private readonly parameters: readonly SearchParameter[]) {
    for (const p of parameters) if (p.url) this.byUrl.set(p.url, p);
  }

  static spec(): SearchParameterRegistry {
    specRegistry ??= new SearchParameterRegistry(specSearchParameters());
    return specRegistry;
  }

  /** A registry that also knows the given (practice-defined) parameters; same codes override. */
  withCustom(custom: readonly SearchParameter[]): SearchParameterRegistry {
    if (custom.length === 0) return this;
    return new SearchParameterRegistry([...this.parameters, ...custom]);
  }

  forType(resourceType: string): ReadonlyMap<string, SearchParamDef> {
    let params = this.byType.get(resourceType);
    if (!params) {
      params = new Map();
      for (const parameter of this.parameters) {
        const def = this.define(parameter, resourceType);
        if (def) params.set(def.code, def);
      }
      this.byType.set(resourceType, params);
    }
    return params;
  }

  get(resourceType: string, code: string): SearchParamDef | undefined {
    return this.forType(resourceType).get(code);
  }

  private define(parameter: SearchParameter, resourceType: string): SearchParamDef | undefined {
    const bases = parameter.base ?? [];
    const appliesToAll = bases.includes('Resource' as never) || bases.includes('DomainResource' as never);
    if (!appliesToAll && !bases.includes(resourceType as never)) return undefined;
    if (appliesToAll && !resourceTypes().has(resourceType)) return undefined;
    if (!parameter.code || !parameter.type) return undefined;
    const expression = expressionFor(parameter.expression ?? '', resourceType);
    if (parameter.type !== 'special' && !expression) return undefined;
    const def: SearchParamDef = {
      code: parameter.code,
      type: parameter.type as SearchParamType,
      url: parameter.url ?? '',
      resourceType,
      expression,
      targets: (parameter.target ?? []) as string[],
      extract: expression ? compileExpression(expression, resourceType) : () => [],
    };
    if (parameter.type === 'composite') {
      const components: SearchParamComponent[] = [];
      for (const component of parameter.component ?? []) {
        const definition = component.definition ? this.byUrl.get(component.definition) : undefined;
        const componentDef = definition && this.componentDef(definition, resourceType);
        if (!componentDef || !component.expression) return undefined;
        components.push({ param: componentDef, extract: compileExpression(component.expression) });
      }
      return { ...def, components };
    }
    return def;
  }

  /** A composite's component may be defined on another base (e.g. clinical-code); its type is what matters. */
  private componentDef(parameter: SearchParameter, resourceType: string): SearchParamDef | undefined {
    if (!parameter.code || !parameter.type) return undefined;
    return {
      code: parameter.code,
      type: parameter.type as SearchParamType,
      url: parameter.url ?? '',
      resourceType,
      expression: '',
      targets: (parameter.target ?? []) as string[],
      extract: () => [],
    };
  }
}

let specRegistry: SearchParameterRegistry | undefined;

/** The parts of a multi-type expression (`A.x | B.y`) that apply to one resource type. */
export function expressionFor(expression: string, resourceType: string): string {
  const parts = splitUnion(expression).filter((part) => {
    const root = /^\(*([A-Za-z]+)/.exec(part)?.[1];
    return root === resourceType || root === 'Resource' || root === 'DomainResource';
  });
  return parts.join(' | ');
}

const CODE_PATTERN = /^[a-zA-Z][-a-zA-Z0-9_]*$/;
const CUSTOM_TYPES = new Set(['string', 'token', 'date', 'reference', 'number', 'quantity', 'uri']);

/**
 * A practice's own SearchParameter must be one we can index: a new code on existing resource
 * types, a supported type, and an expression that compiles. Returns the problem, if any.
 */
export function searchParameterProblem(parameter: SearchParameter): { message: string; path: string } | undefined {
  if (!parameter.code || !CODE_PATTERN.test(parameter.code)) return { message: 'code must start with a letter and hold only letters, digits, "-" and "_"', path: 'SearchParameter.code' };
  if (!CUSTOM_TYPES.has(parameter.type)) return { message: `type must be one of ${[...CUSTOM_TYPES].join(', ')}`, path: 'SearchParameter.type' };
  if (!parameter.expression) return { message: 'expression is required (a FHIRPath expression)', path: 'SearchParameter.expression' };
  const spec = SearchParameterRegistry.spec();
  for (const base of parameter.base ?? []) {
    if (!resourceTypes().has(base)) return { message: `base ${base} is not a resource type`, path: 'SearchParameter.base' };
    const existing = spec.get(base, parameter.code);
    if (existing) return { message: `${base} already has a search parameter "${parameter.code}"`, path: 'SearchParameter.code' };
    if (!expressionFor(parameter.expression, base)) return { message: `expression has no part for ${base} (start each part with "${base}.")`, path: 'SearchParameter.expression' };
  }
  try {
    compileExpression(parameter.expression);
  } catch (error) {
    return { message: `expression does not compile: ${(error as Error).message}`, path: 'SearchParameter.expression' };
  }
  return undefined;
}
