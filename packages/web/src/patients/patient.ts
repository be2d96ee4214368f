/** The parts of a FHIR Patient the screens read (the server holds the full resource). */
export interface Patient {
  readonly resourceType: 'Patient';
  readonly id: string;
  readonly name?: readonly { readonly use?: string; readonly text?: string; readonly family?: string; readonly given?: readonly string[] }[];
  readonly birthDate?: string;
  readonly gender?: string;
  readonly identifier?: readonly { readonly system?: string; readonly value?: string; readonly type?: { readonly coding?: readonly { readonly code?: string }[] } }[];
  readonly telecom?: readonly { readonly system?: string; readonly value?: string }[];
}

export interface Bundle<T> {
  readonly resourceType: 'Bundle';
  readonly total?: number;
  readonly link?: readonly { readonly relation: string; readonly url: string }[];
  readonly entry?: readonly { readonly resource?: T }[];
}

export function resourcesOf<T>(bundle: Bundle<T>): T[] {
  return (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : []));
}

/** The next page as a same-origin path (the server writes absolute links). */
export function nextPagePath(bundle: Bundle<unknown>): string | undefined {
  const next = bundle.link?.find((link) => link.relation === 'next')?.url;
  if (!next) return undefined;
  const url = new URL(next, 'http://same-origin');
  return `${url.pathname}${url.search}`;
}
