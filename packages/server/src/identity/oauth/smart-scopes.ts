/**
 * SMART on FHIR scopes (App Launch 1.0 and 2.x, "Scopes and Launch Context"):
 *   v1  <context>/<Type|*>.<read|write|*>          e.g. patient/*.read, user/Observation.write
 *   v2  <context>/<Type|*>.<c?r?u?d?s?>[?query]    e.g. patient/Observation.rs, user/*.cruds
 * Pure: parsing and the question "does this set of scopes permit that". No I/O.
 */
export type ScopeContext = 'patient' | 'user' | 'system';
/** SMART v2 permissions: create, read, update, delete, search. */
export type ScopePermission = 'c' | 'r' | 'u' | 'd' | 's';

export interface ResourceScope {
  readonly scope: string;
  readonly context: ScopeContext;
  /** A resource type, or "*" for all. */
  readonly resourceType: string;
  readonly permissions: ReadonlySet<ScopePermission>;
  readonly version: 1 | 2;
  /**
   * v2 granular scopes (`patient/Observation.rs?category=laboratory`). Unichart does not
   * enforce the query yet, so such a scope grants nothing rather than more than it says.
   */
  readonly query?: string;
}

const V2_ORDER: readonly ScopePermission[] = ['c', 'r', 'u', 'd', 's'];
const V1: Record<string, readonly ScopePermission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': V2_ORDER };
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]+)(?:\?(.+))?$/;

/** The resource scope a string denotes, or undefined if it is not one (or malformed). */
export function parseResourceScope(scope: string): ResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(scope);
  if (!match) return undefined;
  const [, context, resourceType, access, query] = match as unknown as [string, ScopeContext, string, string, string | undefined];
  const v1 = V1[access];
  if (v1) return query === undefined ? { scope, context, resourceType, permissions: new Set(v1), version: 1 } : undefined;
  // v2: each letter at most once, in the order c r u d s.
  let position = 0;
  for (const letter of access) {
    const index = V2_ORDER.indexOf(letter as ScopePermission, position);
    if (index < 0) return undefined;
    position = index + 1;
  }
  return { scope, context, resourceType, permissions: new Set(access as unknown as ScopePermission[]), version: 2, ...(query ? { query } : {}) };
}

/** Scopes that are not about resources: identity, launch context, refresh tokens. */
export const NON_RESOURCE_SCOPES = ['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access'] as const;

export interface ParsedScopes {
  readonly resources: readonly ResourceScope[];
  /** Known non-resource scopes present. */
  readonly others: ReadonlySet<string>;
  /** Neither: unknown to Unichart (ignored, never granting anything). */
  readonly unknown: readonly string[];
}

export function parseScopes(scope: string | undefined): ParsedScopes {
  const resources: ResourceScope[] = [];
  const others = new Set<string>();
  const unknown: string[] = [];
  for (const token of new Set((scope ?? '').split(/\s+/).filter(Boolean))) {
    const parsed = parseResourceScope(token);
    if (parsed) resources.push(parsed);
    else if ((NON_RESOURCE_SCOPES as readonly string[]).includes(token)) others.add(token);
    else unknown.push(token);
  }
  return { resources, others, unknown };
}

/** Whether one scope grants a permission on a type in a context. */
export function scopePermits(scope: ResourceScope, context: ScopeContext, resourceType: string, permission: ScopePermission): boolean {
  return (
    scope.query === undefined &&
    scope.context === context &&
    (scope.resourceType === '*' || scope.resourceType === resourceType) &&
    scope.permissions.has(permission)
  );
}

/** Whether any of the scopes grants the permission on the type in the context. */
export function anyPermits(scopes: readonly ResourceScope[], context: ScopeContext, resourceType: string, permission: ScopePermission): boolean {
  return scopes.some((scope) => scopePermits(scope, context, resourceType, permission));
}

/**
 * Whether `ceiling` (the scopes an administrator allowed an app) covers everything `scope`
 * grants: each permission, on its type, in its context.
 */
export function isCoveredBy(scope: ResourceScope, ceiling: readonly ResourceScope[]): boolean {
  if (scope.query !== undefined) return ceiling.some((c) => c.scope === scope.scope);
  return [...scope.permissions].every((permission) =>
    ceiling.some((c) => c.query === undefined && c.context === scope.context && (c.resourceType === '*' || c.resourceType === scope.resourceType) && c.permissions.has(permission)),
  );
}

/** A human description for the consent screen. */
export function describeScope(scope: string): string {
  const parsed = parseResourceScope(scope);
  if (!parsed) return OTHER_DESCRIPTIONS[scope] ?? scope;
  const what = parsed.resourceType === '*' ? 'all kinds of records' : `${parsed.resourceType} records`;
  const verbs = V2_ORDER.filter((p) => parsed.permissions.has(p)).map((p) => VERBS[p]);
  const whose = parsed.context === 'patient' ? 'of the selected patient' : parsed.context === 'user' ? 'you can access' : 'of the whole practice';
  return `${joinWords(verbs)} ${what} ${whose}${parsed.query ? ` (only ${parsed.query})` : ''}`.replace(/^./, (c) => c.toUpperCase());
}

const VERBS: Record<ScopePermission, string> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };
const OTHER_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are (sign-in)',
  fhirUser: 'Know which person record is yours',
  profile: 'Know your name and email',
  launch: 'Open with the patient or encounter chosen in Unichart',
  'launch/patient': 'Work with one patient you choose',
  'launch/encounter': 'Work within one encounter',
  offline_access: 'Keep access when you are not using Unichart (until you revoke it)',
  online_access: 'Keep access while you are signed in',
};

function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
