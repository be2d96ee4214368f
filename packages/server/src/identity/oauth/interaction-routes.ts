import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { AuditTrail } from '../../audit/audit-trail.js';
import type { FhirRepository } from '../../fhir/repository.js';
import { signInRateLimit } from '../../http/protection.js';
import type { AccountStore } from '../account-store.js';
import { auditAgentOf, type Actor } from '../authenticator.js';
import { PolicyAccess } from '../policy-access.js';
import { SignInError, type SignIn } from '../sign-in.js';
import type { AppRegistry, RegisteredApp } from './app-registry.js';
import { OAUTH_BASE } from './authorization-server.js';
import { consentPage, errorPage, PAGE_CSP, signInPage } from './interaction-pages.js';
import { canOpen, type LaunchContext, type LaunchContexts } from './launch-contexts.js';
import { isCoveredBy, parseResourceScope, parseScopes } from './smart-scopes.js';

export interface InteractionDeps {
  readonly provider: Provider;
  readonly signIn: SignIn;
  readonly accounts: AccountStore;
  readonly apps: AppRegistry;
  readonly launches: LaunchContexts;
  readonly audit: AuditTrail;
  readonly repositoryFor: (tenantId: string) => Promise<FhirRepository>;
  readonly signInsPerMinute: number;
  /** The resource server (FHIR API) that resource scopes are granted for. */
  readonly fhirBaseUrl: string;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Thrown for anything the person should see on the page rather than as an OAuth error. */
class PageError extends Error {}

/**
 * The pages an app sends a person to while it is being authorized: sign in (same accounts,
 * password rules, lockout and second factor as the Unichart sign-in), then a consent page that
 * lists what the app asks for and, for staff in a standalone launch, which patient it may see.
 */
export function registerInteractionRoutes(app: FastifyInstance, deps: InteractionDeps): void {
  const path = (uid: string, step = '') => `${OAUTH_BASE}/interaction/${encodeURIComponent(uid)}${step}`;

  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  const details = async (request: FastifyRequest, reply: FastifyReply): Promise<Details | undefined> => {
    try {
      return await deps.provider.interactionDetails(request.raw, reply.raw);
    } catch {
      return undefined;
    }
  };
  const expired = (reply: FastifyReply) => html(reply, errorPage('This sign-in has expired', 'Go back to the app and start again.'), 400);
  const appOf = async (interaction: Details) => deps.apps.findActive(String(interaction.params.client_id));
  const finish = async (request: FastifyRequest, reply: FastifyReply, result: InteractionResults) => {
    const to = await deps.provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: true });
    return reply.code(303).header('location', to).send();
  };

  app.get(`${OAUTH_BASE}/interaction/:uid`, async (request, reply) => {
    const interaction = await details(request, reply);
    const registered = interaction && (await appOf(interaction));
    if (!interaction || !registered) return expired(reply);
    if (interaction.prompt.name === 'login') return html(reply, signInPage({ action: path(interaction.uid, '/login'), appName: registered.name, askTotp: false }));
    const accountId = interaction.session?.accountId;
    const person = accountId ? await activePerson(deps.accounts, accountId) : undefined;
    if (!person) return expired(reply);
    return html(reply, consentView(interaction, registered, person, path(interaction.uid, '/consent')));
  });

  app.post(
    `${OAUTH_BASE}/interaction/:uid/login`,
    {
      // The form is parsed before the sign-in rate limit so the limit can key on the email.
      preValidation: async (request) => {
        request.body = Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
      },
      config: signInRateLimit(deps.signInsPerMinute),
    },
    async (request, reply) => {
      const interaction = await details(request, reply);
      const registered = interaction && (await appOf(interaction));
      if (!interaction || !registered || interaction.prompt.name !== 'login') return expired(reply);
      const form = request.body as Record<string, string | undefined>;
      const email = (form.email ?? '').trim();
      try {
        const account = await deps.signIn.verifyCredentials(email, form.password ?? '', form.totp || undefined);
        if (account.tenantId !== registered.tenantId) {
          return html(reply, signInPage({ action: path(interaction.uid, '/login'), appName: registered.name, email, askTotp: false, error: 'This app is not registered with your practice' }), 403);
        }
        await deps.audit.record(account.tenantId, { kind: 'login', agent: auditAgentOf(account, appGrantOf(registered)), outcome: 'success', sourceAddress: request.ip });
        return finish(request, reply, { login: { accountId: account.id, amr: account.mfaSecret ? ['pwd', 'otp'] : ['pwd'] } });
      } catch (error) {
        if (!(error instanceof SignInError)) throw error;
        if (error.account && error.reason !== 'mfa-required') {
          await deps.audit.record(error.account.tenantId, { kind: 'login-failed', agent: auditAgentOf(error.account, appGrantOf(registered)), outcome: 'denied', sourceAddress: request.ip, description: error.message });
        }
        const askTotp = error.reason === 'mfa-required' || error.reason === 'mfa-invalid';
        return html(reply, signInPage({ action: path(interaction.uid, '/login'), appName: registered.name, email, askTotp, error: error.message }), 401);
      }
    },
  );

  app.post(`${OAUTH_BASE}/interaction/:uid/consent`, async (request, reply) => {
    const interaction = await details(request, reply);
    const registered = interaction && (await appOf(interaction));
    const accountId = interaction?.session?.accountId;
    const person = accountId ? await activePerson(deps.accounts, accountId) : undefined;
    if (!interaction || !registered || !person || interaction.prompt.name !== 'consent') return expired(reply);
    const form = Object.fromEntries(new URLSearchParams(typeof request.body === 'string' ? request.body : ''));
    if (form.decision !== 'allow') return finish(request, reply, { error: 'access_denied', error_description: 'The person did not allow the app access' });
    if (person.tenantId !== registered.tenantId) return finish(request, reply, { error: 'access_denied', error_description: 'The app is not registered with this practice' });

    const { granted, rejected } = grantableScopes(String(interaction.params.scope ?? ''), registered);
    let context: LaunchContext;
    try {
      context = await launchContextFor(deps, interaction, person, granted, form.patient);
    } catch (error) {
      if (!(error instanceof PageError)) throw error;
      return html(reply, consentView(interaction, registered, person, path(interaction.uid, '/consent'), error.message), 400);
    }
    const grant = new deps.provider.Grant({ accountId: person.account.id, clientId: registered.clientId });
    const resourceScopes = granted.filter((scope) => parseResourceScope(scope));
    grant.addOIDCScope(granted.filter((scope) => !parseResourceScope(scope)).join(' '));
    if (resourceScopes.length) grant.addResourceScope(deps.fhirBaseUrl, resourceScopes.join(' '));
    if (rejected.length) grant.rejectOIDCScope(rejected.join(' '));
    const grantId = await grant.save();
    await deps.launches.bindToGrant(person.tenantId, grantId, { accountId: person.account.id, clientId: registered.clientId }, context);
    // On the trail, and in the patient's accounting of disclosures when the app got a patient.
    await deps.audit.record(person.tenantId, {
      kind: 'app-authorized',
      agent: auditAgentOf(person.account, appGrantOf(registered)),
      outcome: 'success',
      sourceAddress: request.ip,
      description: `Allowed ${registered.name}: ${granted.join(' ')}`,
      ...(context.patient ? { entity: `Patient/${context.patient}`, patients: [context.patient] } : {}),
      ...(context.encounter ? { entities: [`Encounter/${context.encounter}`] } : {}),
    });
    return finish(request, reply, { consent: { grantId } });
  });
}

/** The requested scopes the app may be granted: identity and launch scopes, and resource scopes the administrator allowed. */
export function grantableScopes(requested: string, registered: RegisteredApp): { granted: string[]; rejected: string[] } {
  const parsed = parseScopes(requested);
  const allowed = parseScopes(registered.scopes).resources;
  const resources = parsed.resources.filter((scope) => scope.context !== 'system' && isCoveredBy(scope, allowed)).map((s) => s.scope);
  const granted = [...parsed.others, ...resources];
  const rejected = requested.split(/\s+/).filter((scope) => scope && !granted.includes(scope));
  return { granted, rejected };
}

type Person = Actor;

async function activePerson(accounts: AccountStore, accountId: string): Promise<Person | undefined> {
  const tenantId = await accounts.tenantOfAccount(accountId);
  const active = tenantId ? await accounts.activeAccount(tenantId, accountId) : undefined;
  return active && tenantId ? { tenantId, account: active.account, policy: active.policy, sessionId: '' } : undefined;
}

function ownPatient(person: Person): string | undefined {
  const [type, id] = person.account.fhirUser?.split('/') ?? [];
  return type === 'Patient' ? id : undefined;
}

function needsPatient(interaction: Details, person: Person): boolean {
  const scopes = String(interaction.params.scope ?? '').split(/\s+/);
  return scopes.includes('launch/patient') && !interaction.params.launch && !ownPatient(person);
}

function consentView(interaction: Details, registered: RegisteredApp, person: Person, action: string, error?: string): string {
  const { granted } = grantableScopes(String(interaction.params.scope ?? ''), registered);
  const own = ownPatient(person);
  return consentPage({
    action,
    appName: registered.name,
    userName: person.account.displayName || person.account.email,
    scopes: granted,
    askPatient: needsPatient(interaction, person),
    ...(own ? { patientLabel: 'your own record' } : interaction.params.launch ? { patientLabel: 'the patient open in Unichart' } : {}),
    ...(error ? { error } : {}),
  });
}

/**
 * Which patient (and encounter) the app works with: a patient's own record; in an EHR launch,
 * the one the launch was made for (by this same person); in a standalone launch by staff,
 * the one they name here, if their role may read it.
 */
async function launchContextFor(deps: InteractionDeps, interaction: Details, person: Person, granted: string[], chosen: string | undefined): Promise<LaunchContext> {
  const own = ownPatient(person);
  if (own) return { patient: own };
  if (typeof interaction.params.launch === 'string') {
    const launch = await deps.launches.findLaunch(interaction.params.launch);
    if (!launch || launch.tenantId !== person.tenantId || launch.accountId !== person.account.id) {
      throw new PageError('The launch has expired or was made by someone else; open the app again from Unichart');
    }
    return { ...(launch.patient ? { patient: launch.patient } : {}), ...(launch.encounter ? { encounter: launch.encounter } : {}) };
  }
  if (!granted.includes('launch/patient')) return {};
  const patient = (chosen ?? '').trim();
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(patient)) throw new PageError('Enter the id of the patient the app may work with');
  const repo = await deps.repositoryFor(person.tenantId);
  if (!(await canOpen(repo.reader(), new PolicyAccess(person), 'Patient', patient))) {
    throw new PageError(`There is no patient ${patient} that you may open`);
  }
  return { patient };
}

function appGrantOf(registered: RegisteredApp) {
  return { clientId: registered.clientId, name: registered.name, scopes: [], allowed: [], system: false };
}
