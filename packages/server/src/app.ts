import Fastify, { type FastifyInstance } from 'fastify';
import { SearchParameterRegistry } from '@unichart/fhir';
import type { Database } from './db/database.js';
import { FhirRepository } from './fhir/repository.js';
import { registerErrorHandling } from './http/errors.js';
import { FHIR_BASE, registerFhirRoutes } from './http/fhir-routes.js';

export interface AppOptions {
  readonly db: Database;
  /** The practice served (single-practice mode until sign-in picks it per user). */
  readonly practiceId: string;
  readonly baseUrl?: string;
  readonly bodyLimit?: number;
  readonly logger?: boolean;
}

export const VERSION = '0.1.0';
const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { redact: ['req.headers.authorization', 'req.headers.cookie'] } : false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // FHIR ids and search values may carry characters Fastify would otherwise reject.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
  });
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  // A DELETE or GET that names a JSON content type but sends no body is not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/fhir+json', 'application/json-patch+json'], { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return jsonParser(request, body as string, done);
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  registerErrorHandling(app);

  const registry = SearchParameterRegistry.spec();
  const repository = new FhirRepository(options.db, options.practiceId, registry);
  app.get('/healthz', async () => ({ status: 'ok' }));
  registerFhirRoutes(app, {
    repositoryFor: async () => repository,
    baseUrlFor: (request) => options.baseUrl ?? `${request.protocol}://${request.host}${FHIR_BASE}`,
    version: VERSION,
  });
  return app;
}
