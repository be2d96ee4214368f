import { parseSearchRequest } from '@unichart/fhir';
import type { Consent, PractitionerRole } from '@medplum/fhirtypes';
import type { RepositoryTransaction } from '../fhir/repository.js';
import type { Actor } from './authenticator.js';
import type { PatientReach } from './patient-reach.js';

const RESOURCE_TYPES_SYSTEM = 'http://hl7.org/fhir/resource-types';
/** More shares than this for one provider is not an outside provider's caseload. */
const MAX_SHARES = 1000;

/** One patient's record (or some of its types) shared with the person until a date. */
export interface Share {
  readonly consent: string;
  readonly patientId: string;
  /** Absent: the whole compartment. */
  readonly resourceTypes?: readonly string[];
  readonly until?: string;
}

/**
 * What was shared with an outside provider: active Consents whose provision permits an actor
 * that is the person's Practitioner or an Organization they work for (PractitionerRole), within
 * the provision's period, for the resource types it names (provision.class) or all.
 */
export async function loadSharedReach(tx: RepositoryTransaction, actor: Actor, now = new Date()): Promise<PatientReach & { readonly shares: readonly Share[] }> {
  const [type, id] = actor.account.fhirUser?.split('/') ?? [];
  const actors = type === 'Practitioner' && id ? [`Practitioner/${id}`, ...(await organizationsOf(tx, id))] : [];
  const shares = actors.length ? await sharesWith(tx, actors, now) : [];
  const everyPatient = [...new Set(shares.map((s) => s.patientId))];
  return {
    shares,
    patientsFor(resourceType) {
      // The Patient itself comes with any share: the shared data makes no sense without whose it is.
      if (resourceType === 'Patient') return everyPatient;
      return [...new Set(shares.filter((s) => !s.resourceTypes || s.resourceTypes.includes(resourceType)).map((s) => s.patientId))];
    },
  };
}

async function organizationsOf(tx: RepositoryTransaction, practitionerId: string): Promise<string[]> {
  const roles = await tx.search(parseSearchRequest('PractitionerRole', new URLSearchParams({ practitioner: `Practitioner/${practitionerId}`, active: 'true', _count: '100' })));
  return roles.matches.flatMap((m) => {
    const reference = (JSON.parse(m.content) as PractitionerRole).organization?.reference;
    return reference?.startsWith('Organization/') ? [reference] : [];
  });
}

async function sharesWith(tx: RepositoryTransaction, actors: readonly string[], now: Date): Promise<Share[]> {
  const consents = await tx.search(parseSearchRequest('Consent', new URLSearchParams({ actor: actors.join(','), status: 'active', _count: String(MAX_SHARES) })));
  return consents.matches.flatMap((m) => {
    const consent = JSON.parse(m.content) as Consent;
    const share = shareOf(consent, actors, now);
    return share ? [share] : [];
  });
}

/** The share a Consent grants these actors now, if any. */
export function shareOf(consent: Consent, actors: readonly string[], now: Date): Share | undefined {
  const provision = consent.provision;
  const patientId = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(consent.patient?.reference ?? '')?.[1];
  if (consent.status !== 'active' || !provision || provision.type === 'deny' || !patientId) return undefined;
  if (!provision.actor?.some((a) => a.reference?.reference && actors.includes(a.reference.reference))) return undefined;
  const { start, end } = provision.period ?? {};
  if ((start && new Date(start) > now) || (end && new Date(end) <= now)) return undefined;
  const types = provision.class?.filter((c) => c.system === RESOURCE_TYPES_SYSTEM && c.code).map((c) => c.code!);
  return { consent: `Consent/${consent.id}`, patientId, ...(types?.length ? { resourceTypes: types } : {}), ...(end ? { until: end } : {}) };
}
