/** The signed-in account, as GET /auth/me tells it. */
export interface AccessRule {
  readonly resourceTypes: readonly string[];
  readonly interactions: readonly string[];
  readonly ownCompartment?: boolean;
  readonly directStatuses?: readonly string[];
}

export interface AccessPolicy {
  readonly rules: readonly AccessRule[];
  readonly administration?: boolean;
  readonly requiresMfa?: boolean;
  readonly careTeamOnly?: boolean;
  readonly sensitiveIdentifiers?: boolean;
  readonly sharedOnly?: boolean;
}

export interface Me {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: string;
  readonly roleName: string;
  readonly policy: AccessPolicy;
  readonly fhirUser?: string;
  readonly mfaEnabled: boolean;
  readonly practiceId: string;
  readonly idleMinutes: number;
}
