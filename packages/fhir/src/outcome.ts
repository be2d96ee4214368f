import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueCode = OperationOutcomeIssue['code'];

/**
 * The one error type every layer throws for a request that cannot be served. Its status and
 * issues become the HTTP answer in exactly one place (the route boundary).
 */
export class FhirError extends Error {
  readonly status: number;
  readonly issues: OperationOutcomeIssue[];

  constructor(status: number, code: IssueCode, message: string, expression?: string[] | string) {
    super(message);
    this.status = status;
    const issue: OperationOutcomeIssue = { severity: 'error', code, diagnostics: message };
    if (expression) issue.expression = Array.isArray(expression) ? expression : [expression];
    this.issues = [issue];
  }

  static fromOutcome(status: number, outcome: OperationOutcome): FhirError {
    const issues = outcome.issue ?? [];
    const first = issues[0];
    const message = issues
      .map((i) => `${i.details?.text ?? i.diagnostics ?? i.code}${i.expression ? ` (at ${i.expression.join(', ')})` : ''}`)
      .join('; ');
    const error = new FhirError(status, first?.code ?? 'invalid', message);
    error.issues.splice(0, 1, ...issues.map((i) => ({ ...i, diagnostics: i.diagnostics ?? i.details?.text })));
    return error;
  }

  toOutcome(): OperationOutcome {
    return { resourceType: 'OperationOutcome', issue: this.issues };
  }
}

export const badRequest = (message: string, expression?: string[] | string): FhirError =>
  new FhirError(400, 'invalid', message, expression);
export const notFound = (message: string): FhirError => new FhirError(404, 'not-found', message);
export const gone = (message: string): FhirError => new FhirError(410, 'deleted', message);
export const conflict = (message: string): FhirError => new FhirError(409, 'conflict', message);
export const preconditionFailed = (message: string): FhirError => new FhirError(412, 'conflict', message);
export const methodNotAllowed = (message: string): FhirError => new FhirError(405, 'not-supported', message);
export const notSupported = (message: string): FhirError => new FhirError(400, 'not-supported', message);
export const forbidden = (message: string): FhirError => new FhirError(403, 'forbidden', message);
export const tooLarge = (message: string): FhirError => new FhirError(413, 'too-costly', message);

export function informationOutcome(message: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: message }] };
}

/** Impossible states: a bug in our code, never a client's mistake. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Invariant failed: ${message}`);
}
