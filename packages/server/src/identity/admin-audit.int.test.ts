import { describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';

const env = useTestServer();

const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  env.server.request({ method, url, headers: { authorization: `Bearer ${env.server.token}` }, payload: payload as Record<string, unknown> | undefined });

const trail = async (subtype: string) => {
  const bundle = (await env.server.fhir('GET', `AuditEvent?subtype=${subtype}`)).body;
  return (bundle.entry ?? []).map((e: { resource: { outcomeDesc?: string; type: { code: string }; action: string; agent: { altId?: string }[] } }) => e.resource);
};

describe('account and role changes on the audit trail', () => {
  it('records who created, deactivated, reactivated and reset whose account, and who changed a role', async () => {
    const created = await admin('POST', '/admin/users', { email: 'temp.clerk@test.unichart', displayName: 'Temp Clerk', role: 'front-desk', password: 'a long enough passphrase' });
    expect(created.statusCode).toBe(201);
    const { id } = JSON.parse(created.body);
    expect((await admin('POST', `/admin/users/${id}/deactivate`)).statusCode).toBe(204);
    expect((await admin('POST', `/admin/users/${id}/reactivate`)).statusCode).toBe(204);
    expect((await admin('POST', `/admin/users/${id}/reset-mfa`)).statusCode).toBe(204);
    const policy = { rules: [{ resourceTypes: ['Patient'], interactions: ['read', 'search'] }] };
    expect((await admin('PUT', '/admin/roles/lab-tech', { name: 'Lab technician', policy })).statusCode).toBe(200);

    const adminId = JSON.parse((await admin('GET', '/auth/me')).body).id;
    const [creation] = await trail('account-create');
    expect(creation).toMatchObject({ action: 'C', outcomeDesc: 'Created Temp Clerk (temp.clerk@test.unichart) with role front-desk', type: { code: '110137' } });
    expect(creation.agent[0].altId).toBe(adminId);
    expect((await trail('account-deactivate'))[0].outcomeDesc).toBe('Deactivated Temp Clerk (temp.clerk@test.unichart)');
    expect((await trail('account-reactivate'))[0].outcomeDesc).toBe('Reactivated Temp Clerk (temp.clerk@test.unichart)');
    expect((await trail('mfa-reset'))[0].outcomeDesc).toBe('Reset the second factor of Temp Clerk (temp.clerk@test.unichart)');
    const [roleChange] = await trail('role-update');
    expect(roleChange).toMatchObject({ action: 'U', type: { code: '110136' } });
    expect(roleChange.outcomeDesc).toBe(`Saved role lab-tech: ${JSON.stringify(policy)}`);
  });

  it('records nothing for a refused change', async () => {
    const before = (await trail('account-deactivate')).length;
    expect((await admin('POST', '/admin/users/00000000-0000-4000-8000-000000000000/deactivate')).statusCode).toBe(404);
    expect(await trail('account-deactivate')).toHaveLength(before);
  });
});
