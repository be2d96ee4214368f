import Fastify, { type FastifyInstance } from 'fastify';
import type { SearchParameter } from '@medplum/fhirtypes';
import type { Database } from './db/database.js';
import { PracticeRegistries } from './fhir/custom-search/practice-registries.js';
import { SearchParameterReindexer } from './fhir/custom-search/reindex-search-parameter.js';
import { FhirRepository, type RepositoryHooks } from './fhir/repository.js';
import { AuditSealer } from './audit/audit-seal.js';
import { AuditTrail } from './audit/audit-trail.js';
import { StatisticsKeeper } from './db/statistics-keeper.js';
import { registerErrorHandling } from './http/errors.js';
import { registerAdminRoutes } from './identity/admin-routes.js';
import { registerAuthRoutes } from './identity/auth-routes.js';
import { registerOAuth } from './identity/oauth/oauth.js';
import { SingleSignOn } from './identity/sso/single-sign-on.js';
import { registerSsoRoutes } from './identity/sso/sso-routes.js';
import type { Identity } from './identity/identity.js';
import { FHIR_BASE, registerFhirRoutes } from './http/fhir-routes.js';
import { registerProtection, type ProtectionOptions } from './http/protection.js';
import { FhirOperations } from './fhir/router.js';
import { registrationOperations } from './registration/registration-operations.js';
import { schedulingOperations, type SchedulingOptions } from './scheduling/scheduling-operations.js';
import { visitOperations } from './scheduling/visit-operations.js';
import { SCHEDULING_FACT_TYPES, SchedulingCache } from './scheduling/schedule-book.js';
import { JobRunner } from './jobs/job-queue.js';
import { channelsFrom, type ChannelConfig } from './reminders/channels.js';
import { ReminderLinks } from './reminders/reminder-links.js';
import { registerReminderRoutes } from './reminders/reminder-routes.js';
import { registerReminderSettingsRoutes } from './reminders/reminder-settings-routes.js';
import { REMINDER_JOB, Reminders } from './reminders/reminders.js';
import { hasWebBuild, registerWebApp } from './http/web-app.js';
import { InvitationLinks } from './portal/invitation-links.js';
import { patientEverythingOperation } from './portal/patient-everything.js';
import { registerPortalInvitations } from './portal/portal-invitations.js';
import { registerStaffInvitations } from './identity/staff-invitations.js';
import { SecuritySettingsStore } from './practice/security-settings.js';
import { EmergencyAccessStore } from './identity/emergency-access.js';
import { registerEmergencyAccessRoutes } from './identity/emergency-access-routes.js';
import { registerImportRoutes, type DataImportOptions } from './imports/import-routes.js';

export interface AppOptions {
  readonly db: Database;
  readonly identity: Identity;
  readonly baseUrl?: string;
  /**
   * Public origin (scheme://host:port) of the OAuth2 issuer when baseUrl is not set; apps'
   * tokens name it, so it cannot come from each request.
   */
  readonly publicOrigin?: string;
  readonly bodyLimit?: number;
  readonly logger?: boolean;
  readonly protection?: Partial<ProtectionOptions>;
  /** Folder of the built web app (packages/web/dist); served at `/` when it holds an index.html. */
  readonly webRoot?: string;
  /** PEM certificate and key: serve HTTPS (and send HSTS). */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly scheduling?: Partial<SchedulingOptions>;
  /**
   * For `npm run bench` only: the FHIR API without access checks or audit entries, to measure
   * their cost in the same run. Never read from configuration.
   */
  readonly measurementWithoutGuards?: boolean;
  /** Close the database when the app closes (after every background task has finished with it). */
  readonly closesDatabase?: boolean;
  /** Reminders and other background jobs; off unless given (tests start what they test). */
  readonly jobs?: {
    readonly channels: ChannelConfig;
    readonly hoursBefore: readonly number[];
    readonly publicUrl: string;
    readonly pollMs: number;
    /** How often upcoming appointments are scanned for reminders to queue. */
    readonly planEveryMs?: number;
    readonly leaseMs?: number;
  };
  /**
   * Where portal invitations go and point: by default the reminders' channels and public URL;
   * without either, the link is only returned to the staff member.
   */
  readonly outbound?: { readonly channels: ChannelConfig; readonly publicUrl: string };
  /** Uploads from the administrator's import screen: size limit, how often the import runner looks for work. */
  readonly imports?: DataImportOptions;
}

const DEFAULT_PROTECTION: ProtectionOptions = { corsOrigins: [], requestsPerMinute: 60_000, signInsPerMinute: 10, tls: false };

export const VERSION = '0.1.0';

/** The reminder planner and the job runner that sends what it queued. */
function startBackgroundJobs(
  app: FastifyInstance,
  db: Database,
  jobs: NonNullable<AppOptions['jobs']>,
  deps: { links: ReminderLinks; repositoryFor: (tenantId: string) => Promise<FhirRepository>; timeZone: string },
): { start(): void; stop(): Promise<void> } {
  const onError = (message: string, error: unknown) => app.log.error({ err: error }, message);
  const reminders = new Reminders({ db, ...deps, channels: channelsFrom(jobs.channels), publicUrl: jobs.publicUrl, defaultHours: jobs.hoursBefore });
  const runner = new JobRunner(db, new Map([[REMINDER_JOB, (job) => reminders.send(job)]]), { onError, leaseMs: jobs.leaseMs });
  let planner: NodeJS.Timeout | undefined;
  let planning: Promise<unknown> | undefined;
  const plan = () => {
    planning ??= reminders.planAll().catch((error: unknown) => onError('reminder planning failed', error)).finally(() => (planning = undefined));
  };
  return {
    start() {
      plan();
      planner = setInterval(plan, jobs.planEveryMs ?? 60_000);
      planner.unref();
      runner.start(jobs.pollMs);
    },
    async stop() {
      clearInterval(planner);
      await planning;
      await runner.stop();
    },
  };
}
const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const protection = { ...DEFAULT_PROTECTION, ...options.protection, tls: Boolean(options.tls) };
  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
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
  // Fastify runs onClose hooks last-added first: added first, this one runs after all the others.
  if (options.closesDatabase) app.addHook('onClose', () => options.db.close());
  await registerProtection(app, protection);
  const pageFallback = options.webRoot && (await hasWebBuild(options.webRoot)) ? await registerWebApp(app, options.webRoot) : undefined;
  registerErrorHandling(app, pageFallback);

  const statistics = new StatisticsKeeper(options.db);
  const audit = new AuditTrail(options.db);
  const sealer = new AuditSealer(options.db);
  const registries = new PracticeRegistries(options.db);
  const schedulingFacts = new SchedulingCache();
  const hooks: RepositoryHooks = {
    afterCommit(tenantId, written) {
      statistics.recordWrites(written.length);
      if (written.some((w) => SCHEDULING_FACT_TYPES.has(w.resourceType))) schedulingFacts.invalidate(tenantId);
      for (const change of written.filter((w) => w.resourceType === 'SearchParameter')) {
        registries.invalidate(tenantId);
        const parameter = change.resource as SearchParameter | undefined;
        if (parameter && parameter.status !== 'retired') {
          reindexer.start(tenantId, parameter).catch((error) => app.log.error({ err: error }, 'could not start re-indexing'));
        }
      }
    },
  };
  const reindexer = new SearchParameterReindexer(options.db, registries, hooks, (message, error) => app.log.error({ err: error }, message));
  const repositoryForTenant = async (tenantId: string) =>
    new FhirRepository(options.db, tenantId, await registries.registryFor(tenantId), hooks, options.identity.sensitiveIdentifiers);
  const scheduling = { defaultTimeZone: 'UTC', cache: schedulingFacts, ...options.scheduling };
  const links = new ReminderLinks(await options.identity.accounts.platformSecret('reminder-links'));
  registerReminderSettingsRoutes(app, { db: options.db, authenticator: options.identity.authenticator, audit, defaultHours: options.jobs?.hoursBefore ?? [48, 2] });
  registerReminderRoutes(app, { links, repositoryFor: repositoryForTenant, timeZone: scheduling.defaultTimeZone, now: scheduling.now });
  const background = options.jobs ? startBackgroundJobs(app, options.db, options.jobs, { links, repositoryFor: repositoryForTenant, timeZone: scheduling.defaultTimeZone }) : undefined;

  app.addHook('onReady', async () => {
    sealer.start();
    background?.start();
    // Plans are only as good as the statistics; PGlite never gathers them by itself.
    void statistics.analyze({ vacuum: false });
    await reindexer.resumeAll();
  });
  // Stop taking jobs the moment closing begins, not after the last request has been answered.
  app.addHook('preClose', async () => {
    await background?.stop();
  });
  app.addHook('onClose', async () => {
    await reindexer.settle();
    await statistics.settle();
    await audit.settle();
    await sealer.stop();
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  const { identity } = options;
  registerAuthRoutes(app, { ...identity, audit, signInsPerMinute: protection.signInsPerMinute });
  registerAdminRoutes(app, { ...identity, audit, settings: new SecuritySettingsStore(options.db) });
  const outbound = options.outbound ?? options.jobs;
  const invitations = {
    links: new InvitationLinks(await identity.accounts.platformSecret('portal-invitations')),
    email: outbound && channelsFrom(outbound.channels).email,
    publicUrl: outbound?.publicUrl,
    now: scheduling.now,
  };
  registerPortalInvitations(app, { ...identity, ...invitations, audit, repositoryFor: repositoryForTenant, signInsPerMinute: protection.signInsPerMinute });
  registerStaffInvitations(app, { ...identity, ...invitations, audit });
  const emergencyAccess = new EmergencyAccessStore(options.db);
  registerEmergencyAccessRoutes(app, { authenticator: identity.authenticator, audit, emergencyAccess, repositoryFor: repositoryForTenant });
  const origin = options.baseUrl ? new URL(options.baseUrl).origin : (options.publicOrigin ?? `${options.tls ? 'https' : 'http'}://localhost:8080`);
  const fhirBaseUrl = options.baseUrl?.replace(/\/+$/, '') ?? `${origin}${FHIR_BASE}`;
  registerImportRoutes(app, { db: options.db, authenticator: identity.authenticator, repositoryFor: repositoryForTenant, fhirBaseUrl, options: { pollMs: options.jobs?.pollMs, leaseMs: options.jobs?.leaseMs, ...options.imports } });
  registerSsoRoutes(app, { sso: new SingleSignOn(options.db, identity, `${origin}/auth/sso/callback`), authenticator: identity.authenticator, audit, appOrigin: origin });
  const oauth = await registerOAuth(app, {
    db: options.db,
    identity,
    audit,
    origin,
    fhirBase: FHIR_BASE,
    fhirBaseUrl,
    repositoryFor: repositoryForTenant,
    signInsPerMinute: protection.signInsPerMinute,
  });
  registerFhirRoutes(app, {
    // Staff tokens and apps' OAuth access tokens alike.
    authenticate: (request) => oauth.authenticate(request.headers.authorization),
    repositoryFor: (actor) => repositoryForTenant(actor.tenantId),
    baseUrlFor: (request) => options.baseUrl ?? `${request.protocol}://${request.host}${FHIR_BASE}`,
    version: VERSION,
    audit,
    security: oauth.security,
    emergencyAccess,
    measurementWithoutGuards: options.measurementWithoutGuards,
    sensitiveIdentifiers: identity.sensitiveIdentifiers,
    operations: new FhirOperations([...schedulingOperations(scheduling), ...visitOperations(scheduling), ...registrationOperations(), patientEverythingOperation()]),
  });
  return app;
}
