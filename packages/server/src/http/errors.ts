import { FhirError } from '@unichart/fhir';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FHIR_JSON } from './fhir-routes.js';

/**
 * The one place errors become HTTP answers. A FhirError carries its status; Fastify's own
 * client errors (bad JSON, body too large, unsupported media type) keep their 4xx; anything
 * else is our fault: logged, and answered 500 without internals.
 */
export function registerErrorHandling(app: FastifyInstance, pageFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof FhirError) return reply.code(error.status).type(FHIR_JSON).send(error.toOutcome());
    const status = error.statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? 'too-costly' : status === 415 ? 'not-supported' : 'invalid';
      const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? `The body is not valid JSON: ${error.message}` : error.message;
      return reply.code(status).type(FHIR_JSON).send(new FhirError(status, code, message).toOutcome());
    }
    request.log.error({ err: error }, 'request failed');
    if (process.env.UNICHART_DEBUG_ERRORS) console.error(error);
    return reply.code(500).type(FHIR_JSON).send(new FhirError(500, 'exception', 'Internal error; it has been logged').toOutcome());
  });

  app.setNotFoundHandler((request, reply) => {
    // Client routes of the web app (a reload on /app/...) get its page; API paths get an OperationOutcome.
    if (pageFallback?.(request, reply)) return reply;
    return reply.code(404).type(FHIR_JSON).send(new FhirError(404, 'not-found', `No route for ${request.method} ${request.url.split('?')[0]}`).toOutcome());
  });
}
