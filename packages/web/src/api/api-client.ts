import { ApiProblem, problemFrom } from './problem.js';

export interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in?: number;
}

/** Called when the session cannot go on (refresh refused): the app shows the sign-in screen with this message. */
export type SessionEndedListener = (message: string) => void;

const REFRESH_KEY = 'unichart.refresh';
export const SESSION_ENDED = 'Your session has ended: it was closed, your account was changed, or it was unused for too long. Please sign in again.';

/**
 * Every call to the server goes through here: it adds the bearer token, reads errors into
 * ApiProblems, and on a 401 tries the refresh token once before declaring the session over.
 * The access token lives in memory only; the refresh token in this tab's sessionStorage, so a
 * reload keeps the session and closing the tab ends it.
 */
export class ApiClient {
  private accessToken: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<SessionEndedListener>();

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = sessionStorage) {}

  get hasSession(): boolean {
    return Boolean(this.accessToken ?? this.storage.getItem(REFRESH_KEY));
  }

  onSessionEnded(listener: SessionEndedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  useTokens(tokens: Tokens): void {
    this.accessToken = tokens.access_token;
    this.storage.setItem(REFRESH_KEY, tokens.refresh_token);
  }

  forgetTokens(): void {
    this.accessToken = undefined;
    this.storage.removeItem(REFRESH_KEY);
  }

  /** Ends the session everywhere the app listens (idle time-out, deactivation). */
  endSession(message: string): void {
    this.forgetTokens();
    for (const listener of this.listeners) listener(message);
  }

  async get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  async put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  /** A call made without a session (sign-in itself). */
  async anonymous<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, { method, headers: jsonHeaders(body), body: body === undefined ? undefined : JSON.stringify(body) });
    return readAnswer<T>(response);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.accessToken && !(await this.refresh())) throw this.sessionOver('Please sign in.');
    let response = await this.send(method, path, body);
    if (response.status === 401) {
      // The server ends sessions on sign-out elsewhere, deactivation and idle time; the refresh token then fails too.
      if (!(await this.refresh())) throw this.sessionOver(SESSION_ENDED);
      response = await this.send(method, path, body);
    }
    return readAnswer<T>(response);
  }

  /** One refresh at a time, however many calls failed together. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.exchangeRefreshToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exchangeRefreshToken(): Promise<boolean> {
    const refreshToken = this.storage.getItem(REFRESH_KEY);
    if (!refreshToken) return false;
    const response = await fetch('/auth/refresh', { method: 'POST', headers: jsonHeaders({}), body: JSON.stringify({ refresh_token: refreshToken }) });
    if (!response.ok) return false;
    this.useTokens((await response.json()) as Tokens);
    return true;
  }

  private send(method: string, path: string, body: unknown): Promise<Response> {
    return fetch(path, {
      method,
      headers: { ...jsonHeaders(body), authorization: `Bearer ${this.accessToken}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private sessionOver(message: string): ApiProblem {
    this.endSession(message);
    return new ApiProblem(401, message, 'session-ended');
  }
}

function jsonHeaders(body: unknown): Record<string, string> {
  return body === undefined ? { accept: 'application/fhir+json, application/json' } : { accept: 'application/fhir+json, application/json', 'content-type': 'application/json' };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readAnswer<T>(response: Response): Promise<T> {
  const body = await readBody(response);
  if (!response.ok) throw problemFrom(response.status, body);
  return body as T;
}

