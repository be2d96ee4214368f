import { badRequest, forbidden } from '@unichart/fhir';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { FhirRepository } from '../../fhir/repository.js';
import type { Actor, Authenticator } from '../authenticator.js';
import { PolicyAccess } from '../policy-access.js';
import { OAUTH_BASE } from './authorization-server.js';
import { canOpen, type LaunchContexts } from './launch-contexts.js';
import { smartConfiguration } from './smart-configuration.js';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * oidc-provider is a Koa application: under /oauth2 each request is handed to it untouched.
 * The routes live in their own plugin scope whose only body parser leaves the body unread, so
 * oidc-provider parses form and JSON bodies itself; Fastify's security hooks (headers, rate
 * limits) still run first.
 */
export async function mountAuthorizationServer(app: FastifyInstance, provider: Provider): Promise<void> {
  const callback = provider.callback();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.route({
      method: ['GET', 'POST'],
      url: `${OAUTH_BASE}/*`,
      handler: async (request, reply) => {
        reply.hijack();
        const raw = request.raw as typeof request.raw & { originalUrl?: string };
        // Koa routes below the issuer's path; it finds its mount point from originalUrl.
        raw.originalUrl = raw.url;
        raw.url = (raw.url ?? '').slice(OAUTH_BASE.length) || '/';
        await callback(raw, reply.raw);
      },
    });
  });
}

/** SMART discovery, at the server root and below the FHIR base (where SMART clients look). */
export function registerSmartDiscovery(app: FastifyInstance, origin: string, fhirBase: string): void {
  const configuration = JSON.stringify(smartConfiguration(origin));
  const send = async (_request: FastifyRequest, reply: FastifyReply) => reply.header('cache-control', 'public, max-age=3600').type('application/json').send(configuration);
  app.get('/.well-known/smart-configuration', send);
  app.get(`${fhirBase}/.well-known/smart-configuration`, send);
}

/**
 * EHR launch: a signed-in person in Unichart opens an app on a patient (and encounter). The
 * server returns an opaque `launch` value for the app's launch URL; when the app presents it,
 * its tokens carry that patient and encounter.
 */
export function registerEhrLaunch(
  app: FastifyInstance,
  deps: { authenticator: Authenticator; launches: LaunchContexts; repositoryFor: (tenantId: string) => Promise<FhirRepository>; fhirBaseUrl: string },
): void {
  app.post(`${OAUTH_BASE}/launch`, async (request) => {
    const actor: Actor = await deps.authenticator.authenticate(request.headers.authorization);
    const body = (request.body ?? {}) as { patient?: unknown; encounter?: unknown };
    if (typeof body.patient !== 'string' || !FHIR_ID.test(body.patient)) throw badRequest('patient must be a Patient id', 'patient');
    if (body.encounter !== undefined && (typeof body.encounter !== 'string' || !FHIR_ID.test(body.encounter))) throw badRequest('encounter must be an Encounter id', 'encounter');
    const access = new PolicyAccess(actor);
    const tx = (await deps.repositoryFor(actor.tenantId)).reader();
    access.require('Patient', 'read');
    if (!(await canOpen(tx, access, 'Patient', body.patient))) throw forbidden(`There is no Patient/${body.patient} that you may open`);
    if (body.encounter && !(await canOpen(tx, access, 'Encounter', body.encounter))) throw forbidden(`There is no Encounter/${body.encounter} that you may open`);
    const launch = await deps.launches.createLaunch({
      tenantId: actor.tenantId,
      accountId: actor.account.id,
      patient: body.patient,
      ...(typeof body.encounter === 'string' ? { encounter: body.encounter } : {}),
    });
    return { launch, iss: deps.fhirBaseUrl };
  });
}
