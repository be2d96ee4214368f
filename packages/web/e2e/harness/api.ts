/** Sets up what a scenario needs through the public HTTP API, as another program would. */
export class E2eApi {
  private constructor(
    private readonly baseUrl: string,
    readonly token: string,
  ) {}

  static async signIn(baseUrl: string, email: string, password: string, totp?: string): Promise<E2eApi> {
    const response = await fetch(`${baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, ...(totp ? { totp } : {}) }) });
    if (!response.ok) throw new Error(`sign-in of ${email} failed: ${response.status} ${await response.text()}`);
    return new E2eApi(baseUrl, ((await response.json()) as { access_token: string }).access_token);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createUser(user: { email: string; displayName: string; role: string; password: string }): Promise<{ id: string }> {
    return this.call('POST', '/admin/users', user);
  }
}
