/**
 * What went wrong, in words a person can act on. The server answers every error with a FHIR
 * OperationOutcome; its diagnostics are written for people already, so they are shown as they
 * are, with a plain lead-in for the status when the outcome says nothing.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A coded reason when the server gives one (sign-in failures: `mfa-required`, …). */
    readonly reason?: string,
    /** Where in the request the problem is (a field name such as `email`). */
    readonly field?: string,
  ) {
    super(message);
  }
}

interface OutcomeIssue {
  readonly severity?: string;
  readonly code?: string;
  readonly diagnostics?: string;
  readonly details?: { readonly text?: string; readonly coding?: readonly { readonly code?: string }[] };
  readonly expression?: readonly string[];
}

const STATUS_WORDS: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'You are not signed in, or your session has ended. Please sign in again.',
  403: 'Your role does not allow this.',
  404: 'That was not found.',
  409: 'Someone else changed this at the same time. Reload and try again.',
  412: 'Someone else changed this at the same time. Reload and try again.',
  422: 'Some of the information is not valid.',
  429: 'Too many attempts. Wait a minute and try again.',
};

/** Reads an error answer (OperationOutcome or anything else) into an ApiProblem. */
export function problemFrom(status: number, body: unknown): ApiProblem {
  const issues = (body as { resourceType?: string; issue?: OutcomeIssue[] } | undefined)?.resourceType === 'OperationOutcome' ? ((body as { issue?: OutcomeIssue[] }).issue ?? []) : [];
  const errors = issues.filter((issue) => issue.severity !== 'information' && issue.severity !== 'warning');
  const shown = errors.length > 0 ? errors : issues;
  const sentences = shown.map((issue) => issue.details?.text ?? issue.diagnostics).filter((text): text is string => Boolean(text));
  const fallback = status >= 500 ? 'Something went wrong on the server. Try again; if it keeps happening, tell your administrator.' : (STATUS_WORDS[status] ?? `The request failed (status ${status}).`);
  const message = sentences.length > 0 ? sentences.map(asSentence).join(' ') : fallback;
  const first = shown[0];
  return new ApiProblem(status, message, first?.details?.coding?.[0]?.code, first?.expression?.[0]);
}

function asSentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** The message to show for anything thrown while talking to the server. */
export function describeError(error: unknown): string {
  if (error instanceof ApiProblem) return error.message;
  if (error instanceof TypeError) return 'The server cannot be reached. Check the connection and try again.';
  return error instanceof Error ? error.message : String(error);
}
