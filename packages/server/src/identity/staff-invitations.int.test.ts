import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../test-support/test-database.js';
import { InvitationLinks } from '../portal/invitation-links.js';

const outbox = await mkdtemp(join(tmpdir(), 'unichart-staff-outbox-'));
const env = useTestServer({ outbound: { channels: { mailFrom: 'Clinic <admin@clinic.test>', outboxDir: outbox }, publicUrl: 'https://ehr.clinic.test' } });
const PASSWORD = 'lantern orchard copper kettle';

const admin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, token = env.server.token) =>
  env.server.request({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
const anonymous = (url: string, payload: object) => env.server.request({ method: 'POST', url, payload });
const tokenOf = (link: string) => new URL(link).hash.replace(/^#invitation=/, '');
const listed = async (email: string) => (await admin('GET', '/admin/users')).json().find((a: { email: string }) => a.email === email);
const mailTo = async (email: string) => {
  const messages = await Promise.all((await readdir(join(outbox, 'email'))).map(async (file) => JSON.parse(await readFile(join(outbox, 'email', file), 'utf8'))));
  return messages.filter((m: { to: string }) => m.to === email);
};
const auditOf = async (kind: string) =>
  (await env.db.query<{ content: string }>(env.server.practice.id, 'SELECT content FROM audit_event WHERE tenant_id = $1 AND type = $2 ORDER BY seq', [env.server.practice.id, kind])).map((r) => JSON.parse(r.content));

afterAll(() => rm(outbox, { recursive: true, force: true }));

describe('inviting staff by link', () => {
  let link: string;
  let accountId: string;

  it('refuses what is not a staff invitation, and anyone but an administrator', async () => {
    expect((await admin('POST', '/admin/users/invite', { displayName: 'No Mail', email: 'not-an-email', role: 'nurse' })).statusCode).toBe(400);
    expect((await admin('POST', '/admin/users/invite', { displayName: ' ', email: 'blank@clinic.test', role: 'nurse' })).statusCode).toBe(400);
    expect((await admin('POST', '/admin/users/invite', { displayName: 'Wrong Role', email: 'wrong@clinic.test', role: 'surgeon' })).statusCode).toBe(400);
    const patient = await admin('POST', '/admin/users/invite', { displayName: 'A Patient', email: 'patient@clinic.test', role: 'patient' });
    expect(patient.statusCode).toBe(400);
    expect(patient.json().resourceType).toBe('OperationOutcome');
    const nurse = await env.server.signInAs('nurse');
    expect((await admin('POST', '/admin/users/invite', { displayName: 'Sneaky', email: 'sneaky@clinic.test', role: 'administrator' }, nurse.token)).statusCode).toBe(403);
    expect((await admin('POST', '/admin/users/invite', { displayName: 'Taken', email: nurse.email, role: 'nurse' })).statusCode).toBe(400);
    expect(await listed('sneaky@clinic.test')).toBeUndefined();
  });

  it('makes an account that cannot sign in, emails a signed link and lists the account as invited', async () => {
    const response = await admin('POST', '/admin/users/invite', { displayName: 'Noor Haddad', email: 'noor.haddad@clinic.test', role: 'nurse' });
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json();
    expect(answer.account).toMatchObject({ email: 'noor.haddad@clinic.test', displayName: 'Noor Haddad', roleCode: 'nurse', status: 'active' });
    expect(answer.sent).toEqual({ medium: 'email', via: 'outbox' });
    expect(answer.link).toMatch(/^https:\/\/ehr\.clinic\.test\/app\/welcome#invitation=/);
    expect(new Date(answer.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    ({ link } = answer);
    accountId = answer.account.id;

    const [mail] = await mailTo('noor.haddad@clinic.test');
    expect(mail.subject).toBe('Your Unichart invitation');
    expect(mail.text).toContain(link);
    expect((await listed('noor.haddad@clinic.test')).invitedAt).toBeDefined();
    expect((await anonymous('/auth/login', { email: 'noor.haddad@clinic.test', password: PASSWORD })).statusCode).toBe(401);

    const [event] = await auditOf('staff-invite');
    expect(event.outcomeDesc).toBe('Invited Noor Haddad (noor.haddad@clinic.test) with role nurse (sent by email via outbox)');
  });

  it('the link names the person and role; accepting holds to the password policy, then the nurse signs in', async () => {
    const opened = await anonymous('/auth/invitation', { token: tokenOf(link) });
    expect(opened.json()).toEqual({ email: 'noor.haddad@clinic.test', displayName: 'Noor Haddad', role: 'nurse' });
    expect((await anonymous('/auth/invitation/accept', { token: tokenOf(link), password: 'short' })).statusCode).toBe(400);
    expect((await anonymous('/auth/invitation/accept', { token: tokenOf(link), password: 'noor.haddad-is-me' })).statusCode).toBe(400);
    expect((await anonymous('/auth/invitation/accept', { token: tokenOf(link), password: PASSWORD })).statusCode).toBe(200);

    expect((await anonymous('/auth/login', { email: 'noor.haddad@clinic.test', password: PASSWORD })).statusCode).toBe(200);
    expect((await listed('noor.haddad@clinic.test')).invitedAt).toBeUndefined();
    expect((await auditOf('password-set')).at(-1).outcomeDesc).toBe('Chose a password from a staff invitation');
  });

  it('works once: the same link, and inviting again, are refused after the password is chosen', async () => {
    expect((await anonymous('/auth/invitation/accept', { token: tokenOf(link), password: 'another fine passphrase' })).statusCode).toBe(404);
    expect((await anonymous('/auth/invitation', { token: tokenOf(link) })).statusCode).toBe(404);
    expect((await admin('POST', `/admin/users/${accountId}/invitation`)).statusCode).toBe(409);
  });

  it('an administrator sends a fresh link to someone still waiting, which replaces the first; deactivating them kills every link', async () => {
    const first = (await admin('POST', '/admin/users/invite', { displayName: 'Ravi Iyer', email: 'ravi.iyer@clinic.test', role: 'front-desk' })).json();
    const again = await admin('POST', `/admin/users/${first.account.id}/invitation`);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().link).not.toBe(first.link);
    expect(await mailTo('ravi.iyer@clinic.test')).toHaveLength(2);
    expect((await auditOf('staff-invite')).at(-1).outcomeDesc).toContain('Invited again Ravi Iyer');
    // The link sent first was replaced by the new one.
    expect((await anonymous('/auth/invitation', { token: tokenOf(first.link) })).statusCode).toBe(404);
    expect((await anonymous('/auth/invitation', { token: tokenOf(again.json().link) })).statusCode).toBe(200);

    expect((await admin('POST', `/admin/users/${first.account.id}/deactivate`)).statusCode).toBe(204);
    for (const pending of [first.link, again.json().link]) {
      expect((await anonymous('/auth/invitation', { token: tokenOf(pending) })).statusCode).toBe(404);
      expect((await anonymous('/auth/invitation/accept', { token: tokenOf(pending), password: PASSWORD })).statusCode).toBe(404);
    }
    expect((await admin('POST', `/admin/users/${first.account.id}/invitation`)).statusCode).toBe(409);
    expect((await admin('POST', '/admin/users/00000000-0000-4000-8000-000000000000/invitation')).statusCode).toBe(404);
    expect((await admin('POST', '/admin/users/nobody/invitation')).statusCode).toBe(404);
  });

  it('two uses of one link at the same moment: one sets the password, the other is refused', async () => {
    const invited = (await admin('POST', '/admin/users/invite', { displayName: 'Twin Tate', email: 'twin.tate@clinic.test', role: 'nurse' })).json();
    const token = tokenOf(invited.link);
    const answers = await Promise.all(['first fine passphrase', 'second fine passphrase'].map((password) => anonymous('/auth/invitation/accept', { token, password })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 404]);
  });

  it('inviting the same person twice at the same moment makes one account, and the other request a clear 4xx', async () => {
    const body = { displayName: 'Echo Eames', email: 'echo.eames@clinic.test', role: 'nurse' };
    const answers = await Promise.all([admin('POST', '/admin/users/invite', body), admin('POST', '/admin/users/invite', body)]);
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses[0]).toBe(201);
    expect([400, 409]).toContain(statuses[1]);
  });

  it('an expired link is refused', async () => {
    const invited = (await admin('POST', '/admin/users/invite', { displayName: 'Late Larkin', email: 'late.larkin@clinic.test', role: 'biller' })).json();
    const secret = await env.server.identity.accounts.platformSecret('portal-invitations');
    const stale = new InvitationLinks(secret).sign({ tenantId: env.server.practice.id, accountId: invited.account.id, expires: Date.now() - 1000 });
    expect((await anonymous('/auth/invitation/accept', { token: stale, password: PASSWORD })).statusCode).toBe(404);
  });

  it('where the practice requires MFA for the role, the first sign-in after accepting only enrols a second factor', async () => {
    expect((await admin('PUT', '/admin/settings/security', { mfaRequired: true })).statusCode).toBe(200);
    try {
      const invited = (await admin('POST', '/admin/users/invite', { displayName: 'Dr Mara Quint', email: 'mara.quint@clinic.test', role: 'physician' })).json();
      expect((await anonymous('/auth/invitation/accept', { token: tokenOf(invited.link), password: PASSWORD })).statusCode).toBe(200);
      const signIn = await anonymous('/auth/login', { email: 'mara.quint@clinic.test', password: PASSWORD });
      expect(signIn.statusCode).toBe(200);
      expect(signIn.json().mfa_enrolment_required).toBe(true);
    } finally {
      await admin('PUT', '/admin/settings/security', { mfaRequired: false });
    }
  });
});
