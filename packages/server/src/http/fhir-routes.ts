import { FhirError } from '@unichart/fhir';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { processBundle } from '../fhir/bundle-processor.js';
import { buildCapabilityStatement } from '../fhir/capability-statement.js';
import type { FhirRequest, FhirResponse } from '../fhir/fhir-request.js';
import type { FhirRepository } from '../fhir/repository.js';
import { routeFhirRequest } from '../fhir/router.js';

export const FHIR_BASE = '/fhir/R4';
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

export interface FhirRouteOptions {
  /** The practice's repository for this request (access control narrows it here later). */
  repositoryFor(request: FastifyRequest): Promise<FhirRepository>;
  baseUrlFor(request: FastifyRequest): string;
  version: string;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

export function registerFhirRoutes(app: FastifyInstance, options: FhirRouteOptions): void {
  let capability: string | undefined;

  app.get(`${FHIR_BASE}/metadata`, async (request, reply) => {
    const repo = await options.repositoryFor(request);
    capability ??= JSON.stringify(buildCapabilityStatement(repo.registry, options.baseUrlFor(request), options.version));
    return reply.type(FHIR_JSON).send(capability);
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const repo = await options.repositoryFor(request);
    const baseUrl = options.baseUrlFor(request);
    const url = new URL(request.url, 'http://localhost');
    const path = url.pathname.slice(FHIR_BASE.length).replace(/^\/+/, '');
    const method = request.method as FhirRequest['method'];
    const headers = request.headers;
    if (path === '' && method === 'POST') {
      const bundle = await processBundle(repo, baseUrl, request.body, header(headers.prefer));
      return reply.type(FHIR_JSON).send(bundle);
    }
    if (path === 'metadata') throw new FhirError(405, 'not-supported', `${method} is not allowed on /metadata`);
    const fhirRequest: FhirRequest = {
      method,
      path,
      query: url.searchParams,
      body: request.body,
      ifMatch: header(headers['if-match']),
      ifNoneExist: header(headers['if-none-exist']),
      ifNoneMatch: header(headers['if-none-match']),
      prefer: header(headers.prefer),
    };
    const selfUrl = `${baseUrl}/${path}${url.search}`;
    const response = READ_METHODS.has(method)
      ? await routeFhirRequest({ tx: repo.reader(), baseUrl, selfUrl }, fhirRequest)
      : await repo.transaction((tx) => routeFhirRequest({ tx, baseUrl, selfUrl }, fhirRequest));
    return send(reply, response);
  };

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: FHIR_BASE, handler });
  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${FHIR_BASE}/*`, handler });
}

function send(reply: FastifyReply, response: FhirResponse): FastifyReply {
  reply.code(response.status);
  if (response.versionId) reply.header('ETag', `W/"${response.versionId}"`);
  if (response.lastModified) reply.header('Last-Modified', new Date(response.lastModified).toUTCString());
  if (response.location) reply.header('Location', response.location).header('Content-Location', response.location);
  if (response.body === undefined) return reply.send();
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  return reply.type(FHIR_JSON).send(body);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
