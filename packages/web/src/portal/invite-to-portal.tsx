import { Alert, Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import type { Patient } from '../patients/patient.js';
import { useSession } from '../session/session-context.js';

interface InvitationAnswer {
  readonly email: string;
  readonly link: string;
  readonly expiresAt: string;
  readonly sent: { readonly medium: 'email' | 'none'; readonly via?: string; readonly error?: string };
}

/** Staff invite the patient to the portal: the link is emailed to the patient and shown here to hand over. */
export function InviteToPortal({ patient }: { patient: Patient }) {
  const { api } = useSession();
  const [email, setEmail] = useState(patient.telecom?.find((t) => t.system === 'email')?.value ?? '');
  const [emailError, setEmailError] = useState<string | undefined>();
  const invite = useMutation({ mutationFn: () => api.post<InvitationAnswer>(`/admin/patients/${patient.id}/invite`, { email: email.trim() }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setEmailError("Enter the patient's email address");
    setEmailError(undefined);
    invite.mutate();
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="portal-invite-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <Title order={2} size="h3" id="portal-invite-title">
            Portal invitation
          </Title>
          <Group align="flex-end">
            <TextInput label="Patient's email" type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={emailError} />
            <Button type="submit" loading={invite.isPending}>
              Invite to the patient portal
            </Button>
          </Group>
          {invite.isError && (
            <Alert color="red" role="alert" title="Not invited">
              {describeError(invite.error)}
            </Alert>
          )}
          {invite.data && (
            <Alert color="blue" role="status" title="Invitation ready">
              <Stack gap={4}>
                <Text size="sm" c="dark.8">
                  {invite.data.sent.medium === 'email' ? `Emailed to ${invite.data.email}.` : (invite.data.sent.error ?? 'Not emailed: give the patient this link.')} It works once, until{' '}
                  {new Date(invite.data.expiresAt).toLocaleDateString()}.
                </Text>
                <Code block aria-label="Invitation link">
                  {invite.data.link}
                </Code>
              </Stack>
            </Alert>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
