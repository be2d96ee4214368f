import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { FhirError } from '@unichart/fhir';
import type { FastifyInstance } from 'fastify';

export interface ProtectionOptions {
  /** Browser origins allowed to call the API (registered apps); others get no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** Requests per minute per client address; 0 turns the limit off. */
  readonly requestsPerMinute: number;
  /** Sign-in attempts per minute per address and email. */
  readonly signInsPerMinute: number;
  /** Served over TLS: send HSTS. */
  readonly tls: boolean;
}

/** Secure headers, CORS for registered origins only, and rate limits on the API and on sign-in. */
export async function registerProtection(app: FastifyInstance, options: ProtectionOptions): Promise<void> {
  await app.register(helmet, {
    hsts: options.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // The API answers JSON; the web app sets its own policy when it is served.
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  });
  const allowed = new Set(options.corsOrigins);
  await app.register(cors, {
    origin: (origin, done) => done(null, origin === undefined || allowed.has(origin)),
    credentials: false,
    exposedHeaders: ['ETag', 'Location', 'Content-Location', 'Last-Modified'],
  });
  await app.register(rateLimit, {
    global: options.requestsPerMinute > 0,
    max: options.requestsPerMinute || 1,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => {
      const error = new FhirError(429, 'throttled', `Too many requests: at most ${context.max} a minute; try again in ${Math.ceil(context.ttl / 1000)} s`);
      Object.assign(error, { statusCode: 429 });
      return error;
    },
  });
}

/** Route options for sign-in: a tight limit per address and email, on top of account lockout. */
export function signInRateLimit(perMinute: number): {
  rateLimit: { max: number; timeWindow: string; hook: 'preHandler'; keyGenerator: (request: { ip: string; body?: unknown }) => string };
} {
  return {
    rateLimit: {
      max: perMinute,
      timeWindow: '1 minute',
      // After body parsing, so the key can include the email.
      hook: 'preHandler',
      keyGenerator: (request) => `${request.ip}|${String((request.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase()}`,
    },
  };
}
