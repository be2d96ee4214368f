import { badRequest } from '@unichart/fhir';
import type { AccountStore } from './account-store.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NewAccountInput {
  readonly email: string;
  readonly displayName: string;
  readonly roleCode: string;
}

/**
 * Who a new staff account is for, checked the same way whether an administrator creates it with
 * a password or invites the person by link: an email not taken yet, a name, a role of the practice.
 */
export async function newAccountInput(
  accounts: AccountStore,
  tenantId: string,
  body: Record<string, unknown>,
  options: { nameRequired: boolean; excludedRoles?: readonly string[] },
): Promise<NewAccountInput> {
  const email = typeof body.email === 'string' ? body.email.trim() : '';
  if (!EMAIL.test(email)) throw badRequest('email must be an email address', 'email');
  const name = typeof body.displayName === 'string' ? body.displayName.trim() : '';
  if (!name && options.nameRequired) throw badRequest('displayName is required: the person’s name as colleagues see it', 'displayName');
  const roleCode = typeof body.role === 'string' ? body.role : '';
  const roles = (await accounts.listRoles(tenantId)).filter((r) => !options.excludedRoles?.includes(r.code));
  if (!roles.some((r) => r.code === roleCode)) throw badRequest(`role must be one of ${roles.map((r) => r.code).join(', ')}`, 'role');
  if (await accounts.findByEmail(email)) throw badRequest('An account with this email already exists', 'email');
  return { email, displayName: name || email, roleCode };
}
