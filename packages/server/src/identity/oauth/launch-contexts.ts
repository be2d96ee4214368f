import { randomBytes } from 'node:crypto';
import type { FhirAccess } from '../../fhir/fhir-access.js';
import type { RepositoryTransaction } from '../../fhir/repository.js';
import type { OAuthArtifacts } from './oauth-artifacts.js';

/** The patient (and encounter) an app works with, as SMART's launch context names them. */
export interface LaunchContext {
  readonly patient?: string;
  readonly encounter?: string;
}

/** An EHR launch: made by a signed-in person in Unichart, handed to the app as an opaque `launch` value. */
export interface EhrLaunch extends LaunchContext {
  readonly tenantId: string;
  readonly accountId: string;
}

const LAUNCH_SECONDS = 60 * 60;
const GRANT_SECONDS = 90 * 24 * 3600;

/** Launch values and the context each grant was given, kept as OAuth artifacts. */
export class LaunchContexts {
  constructor(private readonly artifacts: OAuthArtifacts) {}

  async createLaunch(launch: EhrLaunch): Promise<string> {
    const value = randomBytes(24).toString('base64url');
    await this.artifacts.upsert(launch.tenantId, 'Launch', value, { ...launch }, LAUNCH_SECONDS);
    return value;
  }

  async findLaunch(value: string): Promise<EhrLaunch | undefined> {
    const payload = await this.artifacts.find('Launch', value);
    if (!payload || typeof payload.tenantId !== 'string' || typeof payload.accountId !== 'string') return undefined;
    return { tenantId: payload.tenantId, accountId: payload.accountId, ...contextOf(payload) };
  }

  /** The context a person chose when confirming a grant; every token of the grant carries it. */
  async bindToGrant(tenantId: string, grantId: string, owner: { accountId: string; clientId: string }, context: LaunchContext): Promise<void> {
    await this.artifacts.upsert(tenantId, 'SmartContext', grantId, { grantId, ...owner, ...context }, GRANT_SECONDS);
  }

  async forGrant(grantId: string): Promise<LaunchContext | undefined> {
    const payload = await this.artifacts.find('SmartContext', grantId);
    return payload && contextOf(payload);
  }
}

function contextOf(payload: Record<string, unknown>): LaunchContext {
  return {
    ...(typeof payload.patient === 'string' ? { patient: payload.patient } : {}),
    ...(typeof payload.encounter === 'string' ? { encounter: payload.encounter } : {}),
  };
}

/** Whether a resource exists and the person may read it: a launch may only name such a one. */
export async function canOpen(tx: RepositoryTransaction, access: FhirAccess, resourceType: 'Patient' | 'Encounter', id: string): Promise<boolean> {
  const found = await tx.search(
    { resourceType, filters: [{ key: '_id', values: [id] }], count: 1, offset: 0, sort: [], total: 'none', include: [], revinclude: [] },
    access.searchScope(resourceType),
  );
  return found.matches.length === 1 && (await access.canReach(tx, resourceType, id, 'read'));
}
