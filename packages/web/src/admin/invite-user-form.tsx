import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { useSession } from '../session/session-context.js';
import type { Account, Role } from './admin-types.js';
import { PersonFields, validatePerson } from './create-user-form.js';

/** What POST /admin/users/invite and /admin/users/:id/invitation answer. */
export interface StaffInvitation {
  readonly account: Account;
  readonly link: string;
  readonly expiresAt: string;
  readonly sent: { readonly medium: 'email' | 'none'; readonly via?: string; readonly error?: string };
}

interface Draft {
  displayName: string;
  email: string;
  role: string;
}

/** Patients join through the portal invitation on their chart, not here. */
const PORTAL_ROLE = 'patient';

/** Invite a colleague: they get an email with a one-time link and choose their own password. */
export function InviteUserForm({ roles, onDone }: { roles: readonly Role[]; onDone: (invitation: StaffInvitation) => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>({ displayName: '', email: '', role: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof Draft, string>>>({});
  const invite = useMutation({
    mutationFn: () => api.post<StaffInvitation>('/admin/users/invite', { displayName: draft.displayName.trim(), email: draft.email.trim(), role: draft.role }),
    onSuccess: async (invitation) => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
      onDone(invitation);
    },
  });
  // A field's complaint goes as soon as it is edited; the next submit checks again.
  const set = (field: keyof Draft) => (event: { currentTarget: { value: string } }) => {
    setDraft({ ...draft, [field]: event.currentTarget.value });
    setErrors(({ [field]: _fixed, ...rest }) => rest);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validatePerson(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) invite.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">They receive an email with a link to choose their own password. The link works once, for 7 days.</Text>
        {invite.isError && (
          <Alert color="red" title="The invitation was not sent" role="alert">
            {describeError(invite.error)}
          </Alert>
        )}
        <PersonFields draft={draft} errors={errors} roles={roles.filter((role) => role.code !== PORTAL_ROLE)} set={set} />
        <Group justify="flex-end">
          <Button type="submit" loading={invite.isPending}>
            Send invitation
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Where the link went; when the email failed, the link itself for the administrator to pass on. */
export function InvitationSentNotice({ invitation, onClose }: { invitation: StaffInvitation; onClose: () => void }) {
  const { account, sent } = invitation;
  return (
    <Alert color={sent.medium === 'email' ? 'green' : 'yellow'} title={`${account.displayName} is invited`} role="status" withCloseButton closeButtonLabel="Dismiss" onClose={onClose}>
      <Text size="sm" c="dark.8">
        {sent.medium === 'email'
          ? `The invitation link went to ${account.email}. It works once, until ${new Date(invitation.expiresAt).toLocaleDateString()}.`
          : `${sent.error ?? 'No email could be sent.'} Give ${account.displayName} this link privately:`}
      </Text>
      {sent.medium !== 'email' && (
        <Text size="sm" c="dark.8" style={{ wordBreak: 'break-all' }}>
          {invitation.link}
        </Text>
      )}
    </Alert>
  );
}
