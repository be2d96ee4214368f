import type { AccessPolicy } from '../session/me.js';

/** An account as GET /admin/users lists it. */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roleCode: string;
  readonly fhirUser?: string;
  readonly status: 'active' | 'deactivated';
  readonly mfaEnabled: boolean;
  /** When an invitation link was last sent, while the person has not accepted it yet. */
  readonly invitedAt?: string;
}

export interface Role {
  readonly code: string;
  readonly name: string;
  readonly policy: AccessPolicy;
}
