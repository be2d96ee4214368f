import { Alert, Box, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { useSession } from '../session/session-context.js';

/** The token travels in the link's fragment (`#invitation=…`), which the browser never sends to a server. */
export function invitationToken(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('invitation') ?? '';
}

/**
 * The page an invitation link opens: the patient (or an invited staff member) chooses a password
 * (the server's policy applies), is signed in, and lands on their account page, where two-step
 * sign-in is offered, or required first when the practice demands it for the role.
 */
export default function InvitationPage() {
  const { api, signIn } = useSession();
  const [token] = useState(() => invitationToken(window.location.hash));
  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api.anonymous<{ email: string; displayName: string; role?: string }>('POST', '/auth/invitation', { token }),
    enabled: Boolean(token),
  });
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<{ password?: string; again?: string }>({});
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const next = {
      password: password.length >= 12 ? undefined : 'Use at least 12 characters',
      again: again === password ? undefined : 'The two passwords are not the same',
    };
    setErrors(next);
    if (next.password || next.again || !invitation.data) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await api.anonymous('POST', '/auth/invitation/accept', { token, password });
      // The link is spent: take it out of the address bar and history before going on.
      window.history.replaceState(null, '', '/app/account');
      await signIn(invitation.data.email, password);
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  // Staff are invited by an administrator; the same link and page serve them, in their words.
  const staff = invitation.data?.role !== undefined && invitation.data.role !== 'patient';
  let body;
  if (!token) body = <Alert color="red" role="alert" title="No invitation">This page needs the link from your invitation email. Open the link again, or ask the practice for a new one.</Alert>;
  else if (invitation.isPending) body = <PageLoader label="Checking your invitation" />;
  else if (invitation.isError) body = <Alert color="red" role="alert" title="This link does not work">{describeError(invitation.error)}</Alert>;
  else {
    body = (
      <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="welcome-title">
        <Stack>
          <Text>
            Your {staff ? '' : 'portal '}account is <strong>{invitation.data.email}</strong>. Choose a password: at least 12 characters; a few unrelated words make a good one.
          </Text>
          {problem && (
            <Alert color="red" variant="light" role="alert" title="Not saved">
              <Text size="sm" c="dark.8">{problem}</Text>
            </Alert>
          )}
          <PasswordInput label="New password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errors.password} visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }} />
          <PasswordInput label="The same password again" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.currentTarget.value)} error={errors.again} visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the repeated password' }} />
          <Button type="submit" loading={busy} fullWidth>
            Save the password and sign in
          </Button>
        </Stack>
      </form>
    );
  }
  return (
    <Center mih="100vh" p="md" bg="gray.0" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={480}>
        <Stack>
          <Box>
            <Title order={1} size="h2" id="welcome-title">
              {staff ? 'Welcome to Unichart' : 'Welcome to your patient portal'}
            </Title>
            <Text size="sm" c="gray.7">
              {invitation.data ? `Hello ${invitation.data.displayName}.` : 'Your practice invited you.'}
            </Text>
          </Box>
          {body}
        </Stack>
      </Paper>
    </Center>
  );
}
