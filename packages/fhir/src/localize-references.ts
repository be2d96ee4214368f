/**
 * References to this server written as absolute URLs (`https://our.host/fhir/R4/Patient/1`)
 * are stored relative (`Patient/1`), so that search, _include and the compartment treat them
 * as the local resources they are. Absolute references to any other server stay as written.
 */
export function localizeReferences<T>(resource: T, baseUrl: string): T {
  const prefix = `${baseUrl.replace(/\/+$/, '')}/`;
  // Copy on write: most resources have nothing to change and come back as they are.
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      let changed = false;
      const items = node.map((item) => {
        const next = visit(item);
        changed ||= next !== item;
        return next;
      });
      return changed ? items : node;
    }
    if (node === null || typeof node !== 'object') return node;
    let out: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(node)) {
      const next = key === 'reference' && typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : visit(value);
      if (next !== value) (out ??= { ...(node as Record<string, unknown>) })[key] = next;
    }
    return out ?? node;
  };
  return visit(resource) as T;
}

/** The same for search values: `subject=https://our.host/fhir/R4/Patient/1` searches for Patient/1. */
export function localizeSearchValue(value: string, baseUrl: string): string {
  const prefix = `${baseUrl.replace(/\/+$/, '')}/`;
  return value
    .split(',')
    .map((v) => (v.startsWith(prefix) ? v.slice(prefix.length) : v))
    .join(',');
}
