import { Alert, Badge, Button, Group, Modal, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useMe, useSession } from '../session/session-context.js';
import { useAccounts, useRoles } from './admin-queries.js';
import type { Account } from './admin-types.js';
import { CreateUserForm } from './create-user-form.js';
import { InvitationSentNotice, InviteUserForm, type StaffInvitation } from './invite-user-form.js';

type AccountAction = 'deactivate' | 'reactivate' | 'reset-mfa';

const CONFIRM: Record<AccountAction, { title: string; body: string; button: string }> = {
  deactivate: { title: 'Deactivate', body: 'They are signed out everywhere at once and cannot sign in until reactivated.', button: 'Deactivate' },
  reactivate: { title: 'Reactivate', body: 'They can sign in again with their password.', button: 'Reactivate' },
  'reset-mfa': { title: 'Reset MFA for', body: 'Their authenticator app no longer works; they sign in with the password alone and enrol again.', button: 'Reset MFA' },
};

/** Accounts of the practice: create or invite, deactivate (access ends at once), reactivate, reset MFA. */
export default function UsersPage() {
  const { api } = useSession();
  const me = useMe();
  const queryClient = useQueryClient();
  const accounts = useAccounts();
  const roles = useRoles();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Account | undefined>();
  const [pending, setPending] = useState<{ account: Account; action: AccountAction } | undefined>();
  const change = useMutation({
    mutationFn: ({ account, action }: { account: Account; action: AccountAction }) => api.post(`/admin/users/${account.id}/${action}`),
    onSuccess: async () => {
      setPending(undefined);
      await queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
  });
  const [inviting, setInviting] = useState(false);
  const [invited, setInvited] = useState<StaffInvitation | undefined>();
  const resend = useMutation({
    mutationFn: (account: Account) => api.post<StaffInvitation>(`/admin/users/${account.id}/invitation`),
    onSuccess: async (invitation) => {
      setInvited(invitation);
      await queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
  });
  const roleName = (code: string) => roles.data?.find((r) => r.code === code)?.name ?? code;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Users
        </Title>
        <Button onClick={() => { setCreated(undefined); setCreating(true); }} disabled={!roles.data}>
          Create user
        </Button>
        <Button variant="outline" onClick={() => { setInvited(undefined); setInviting(true); }} disabled={!roles.data}>
          Invite user
        </Button>
      </Group>
      {invited && <InvitationSentNotice invitation={invited} onClose={() => setInvited(undefined)} />}
      {resend.isError && (
        <Alert color="red" title="The invitation was not sent again" role="alert" withCloseButton closeButtonLabel="Dismiss" onClose={() => resend.reset()}>
          {describeError(resend.error)}
        </Alert>
      )}
      {created && (
        <Alert color="green" title="User created" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setCreated(undefined)}>
          <Text size="sm" c="dark.8">
            {created.displayName} ({created.email}) can now sign in with the initial password.
          </Text>
        </Alert>
      )}
      {accounts.isPending && <PageLoader label="Loading users" />}
      {accounts.isError && (
        <Alert color="red" title="Users could not be loaded" role="alert">
          {describeError(accounts.error)}
        </Alert>
      )}
      {accounts.data?.length === 0 && <Text>No users yet.</Text>}
      {accounts.data && accounts.data.length > 0 && (
        <ScrollTable label="Users (scrollable)" minWidth={700}>
          <Table striped aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>MFA</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.data.map((account) => (
                <Table.Tr key={account.id}>
                  <Table.Td>{account.displayName}</Table.Td>
                  <Table.Td>{account.email}</Table.Td>
                  <Table.Td>{roleName(account.roleCode)}</Table.Td>
                  <Table.Td>
                    {account.invitedAt && account.status === 'active' ? (
                      <Badge color="blue.9" variant="filled" title={`Invited ${new Date(account.invitedAt).toLocaleString()}`}>
                        Invited
                      </Badge>
                    ) : (
                      <Badge color={account.status === 'active' ? 'teal.9' : 'gray.7'} variant="filled">
                        {account.status === 'active' ? 'Active' : 'Deactivated'}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{account.mfaEnabled ? 'On' : 'Off'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      {account.invitedAt && account.status === 'active' && (
                        <Button size="xs" variant="default" loading={resend.isPending && resend.variables?.id === account.id} onClick={() => resend.mutate(account)} aria-label={`Resend the invitation to ${account.displayName}`}>
                          Resend invitation
                        </Button>
                      )}
                      {account.mfaEnabled && (
                        <Button size="xs" variant="default" onClick={() => setPending({ account, action: 'reset-mfa' })} aria-label={`Reset MFA for ${account.displayName}`}>
                          Reset MFA
                        </Button>
                      )}
                      {account.status === 'active' ? (
                        account.id !== me.id && (
                          <Button size="xs" color="red.9" variant="outline" onClick={() => setPending({ account, action: 'deactivate' })} aria-label={`Deactivate ${account.displayName}`}>
                            Deactivate
                          </Button>
                        )
                      ) : (
                        <Button size="xs" variant="outline" onClick={() => setPending({ account, action: 'reactivate' })} aria-label={`Reactivate ${account.displayName}`}>
                          Reactivate
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}

      <Modal opened={creating} onClose={() => setCreating(false)} title="Create user">
        {roles.data && (
          <CreateUserForm
            roles={roles.data}
            onDone={(account) => {
              setCreating(false);
              setCreated(account);
            }}
          />
        )}
      </Modal>

      <Modal opened={inviting} onClose={() => setInviting(false)} title="Invite user">
        {roles.data && (
          <InviteUserForm
            roles={roles.data}
            onDone={(invitation) => {
              setInviting(false);
              setInvited(invitation);
            }}
          />
        )}
      </Modal>

      <Modal opened={Boolean(pending)} onClose={() => { setPending(undefined); change.reset(); }} title={pending ? `${CONFIRM[pending.action].title} ${pending.account.displayName}?` : ''}>
        {pending && (
          <Stack>
            <Text>{CONFIRM[pending.action].body}</Text>
            {change.isError && (
              <Alert color="red" role="alert" title="That did not work">
                {describeError(change.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => { setPending(undefined); change.reset(); }}>
                Cancel
              </Button>
              <Button color={pending.action === 'deactivate' ? 'red.9' : undefined} loading={change.isPending} onClick={() => change.mutate(pending)} data-autofocus>
                {CONFIRM[pending.action].button}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
