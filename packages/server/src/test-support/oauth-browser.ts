/**
 * A person's browser, for driving OAuth sign-in and consent pages over real HTTP: it keeps
 * cookies, follows redirects on the server's origin and stops at a page or at a redirect
 * elsewhere (the app's redirect URI).
 */
export class TestBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly serverOrigin: string) {}

  /** Follows redirects from `url` until a page answers or a redirect leaves the server. */
  async visit(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ status: number; url: string; html: string; leftTo?: string }> {
    let current = url;
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hop = 0; hop < 20; hop++) {
      const response = await fetch(current, {
        method,
        redirect: 'manual',
        headers: { cookie: this.cookieHeader(), ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body,
      });
      this.keepCookies(response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        const next = new URL(location, current).href;
        if (new URL(next).origin !== this.serverOrigin) return { status: response.status, url: current, html: '', leftTo: next };
        current = next;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { status: response.status, url: current, html: await response.text() };
    }
    throw new Error(`Too many redirects from ${url}`);
  }

  /** Submits the page's form with the given fields. */
  submit(page: { url: string; html: string }, fields: Record<string, string>): ReturnType<TestBrowser['visit']> {
    const action = /<form[^>]*action="([^"]+)"/.exec(page.html)?.[1];
    if (!action) throw new Error(`No form on the page: ${page.html.slice(0, 500)}`);
    return this.visit(new URL(action.replace(/&amp;/g, '&'), page.url).href, { method: 'POST', form: fields });
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private keepCookies(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!) < new Date()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** A PKCE (S256) verifier and its challenge, as an app makes them. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const { createHash, randomBytes } = await import('node:crypto');
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly aud: string;
  readonly launch?: string;
  /** Omit to send no PKCE challenge. */
  readonly codeChallenge?: string;
}

export function authorizeUrl(issuer: string, request: AuthorizeRequest): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    aud: request.aud,
    state: 'state-1234',
    ...(request.launch ? { launch: request.launch } : {}),
    ...(request.codeChallenge ? { code_challenge: request.codeChallenge, code_challenge_method: 'S256' } : {}),
  });
  return `${issuer}/auth?${params}`;
}
