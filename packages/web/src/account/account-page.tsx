import { Alert, Anchor, Button, Code, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { useMe, useSession } from '../session/session-context.js';
import { groupedSecret } from './authenticator-key.js';

interface MfaProposal {
  readonly secret: string;
  readonly otpauthUri: string;
}

/** The signed-in person's own account: who they are, and enrolling an authenticator app. */
export default function AccountPage() {
  const me = useMe();
  const { api, reloadMe } = useSession();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const propose = useMutation({ mutationFn: () => api.post<MfaProposal>('/auth/mfa/setup') });
  const confirm = useMutation({
    mutationFn: (proposal: MfaProposal) => api.post('/auth/mfa/confirm', { secret: proposal.secret, totp: code.trim() }),
    onSuccess: () => reloadMe(),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) return setCodeError('Enter the 6 digits the app shows');
    setCodeError(undefined);
    if (propose.data) confirm.mutate(propose.data);
  };

  return (
    <Stack maw={640}>
      <Title order={1} size="h2">
        Your account
      </Title>
      <Paper withBorder p="md">
        <Text fw={600}>{me.displayName}</Text>
        <Text>{me.email}</Text>
        <Text c="gray.7">Role: {me.roleName}</Text>
      </Paper>
      <Title order={2} size="h3">
        Two-step sign-in
      </Title>
      {me.mfaEnabled ? (
        <Alert color="teal" title="Two-step sign-in is on" role="status">
          <Text size="sm" c="dark.8">
            Each sign-in asks for a code from your authenticator app. If you lose the device, ask an administrator to reset it.
          </Text>
        </Alert>
      ) : !propose.data ? (
        <Stack align="flex-start">
          <Text>Protect your account with a code from an authenticator app (such as FreeOTP, Aegis or Google Authenticator) at every sign-in.</Text>
          {propose.isError && (
            <Alert color="red" role="alert">
              {describeError(propose.error)}
            </Alert>
          )}
          <Button onClick={() => propose.mutate()} loading={propose.isPending}>
            Set up an authenticator app
          </Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text>
              In your authenticator app, add an account with this key (time-based), or open the{' '}
              <Anchor href={propose.data.otpauthUri}>setup link</Anchor> on the device that has the app:
            </Text>
            <Code block aria-label="Authenticator key" data-secret={propose.data.secret} fz="lg">
              {groupedSecret(propose.data.secret)}
            </Code>
            {confirm.isError && (
              <Alert color="red" title="Not turned on" role="alert">
                {describeError(confirm.error)}
              </Alert>
            )}
            <Group align="flex-end">
              <TextInput
                label="Code from the app"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                value={code}
                onChange={(event) => setCode(event.currentTarget.value)}
                error={codeError}
              />
              <Button type="submit" loading={confirm.isPending}>
                Turn on two-step sign-in
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
