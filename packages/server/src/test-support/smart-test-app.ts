import { createServer, type Server } from 'node:http';
import smart from 'fhirclient';
type Client = Awaited<ReturnType<ReturnType<typeof smart>['ready']>>;

/**
 * A SMART app as a real one runs: an HTTP server of its own using `fhirclient`'s Node API.
 * GET /launch starts the authorization (redirects the browser to the EHR's authorize endpoint);
 * GET /callback completes it (fhirclient exchanges the code at the token endpoint) and keeps
 * the ready client for the test to use.
 */
export class SmartTestApp {
  readonly url: string;
  client?: Client;
  callbackError?: unknown;
  private readonly store = new Map<string, unknown>();

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly authorize: { iss: string; clientId: string; scope: string; clientSecret?: string },
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(authorize: { iss: string; clientId: string; scope: string; clientSecret?: string }): Promise<SmartTestApp> {
    let app: SmartTestApp | undefined;
    const server = createServer((request, response) => {
      void app!.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    app = new SmartTestApp(server, (server.address() as { port: number }).port, authorize);
    return app;
  }

  get redirectUri(): string {
    return `${this.url}/callback`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    const storage = {
      get: async (key: string) => this.store.get(key),
      set: async (key: string, value: unknown) => this.store.set(key, value).get(key),
      unset: async (key: string) => this.store.delete(key),
    };
    const path = new URL(request.url ?? '/', this.url).pathname;
    try {
      if (path === '/launch') {
        await smart(request, response, storage).authorize({ ...this.authorize, redirectUri: this.redirectUri });
        return;
      }
      if (path === '/callback') {
        const api = smart(request, response, storage);
        // A public app identifies itself when refreshing (it has no secret to authenticate with).
        Object.assign(api.options, { refreshTokenWithClientId: true });
        this.client = await api.ready();
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ready');
        return;
      }
      response.writeHead(404).end();
    } catch (error) {
      this.callbackError = error;
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  }
}
