import { Alert, Anchor, Box, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiProblem, describeError } from '../api/problem.js';
import { useSession } from '../session/session-context.js';
import { SsoChoices } from './sso-choices.js';

type Step = 'password' | 'totp';

/** Email and password; then, when the account has MFA, the authenticator code. */
export function SignInPage() {
  const { signIn, notice } = useSession();
  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string; totp?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const errors = {
      email: /^[^\s@]+@[^\s@]+$/.test(email.trim()) ? undefined : 'Enter your email address',
      password: password ? undefined : 'Enter your password',
      totp: step === 'totp' && !/^\d{6}$/.test(totp.trim()) ? 'Enter the 6 digits your authenticator app shows' : undefined,
    };
    setFieldErrors(errors);
    if (errors.email || errors.password || errors.totp) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await signIn(email.trim(), password, step === 'totp' ? totp.trim() : undefined);
    } catch (error) {
      if (error instanceof ApiProblem && error.reason === 'mfa-required') {
        setStep('totp');
      } else {
        setProblem(describeError(error));
        if (error instanceof ApiProblem && error.reason === 'mfa-invalid') setTotp('');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" bg="gray.0" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="sign-in-title">
          <Stack>
            <Box>
              <Title order={1} size="h2" id="sign-in-title">
                Sign in to Unichart
              </Title>
              <Text size="sm" c="gray.7">
                {step === 'password' ? 'Use the email and password your practice gave you.' : 'Your account is protected by a second step.'}
              </Text>
            </Box>
            {notice && !problem && (
              <Alert color="blue" variant="light" title="Signed out" role="status">
                <Text size="sm" c="dark.8">{notice}</Text>
              </Alert>
            )}
            {problem && (
              <Alert color="red" variant="light" title="Could not sign in" role="alert">
                <Text size="sm" c="dark.8">{problem}</Text>
              </Alert>
            )}
            {step === 'password' ? (
              <>
                <TextInput
                  label="Email"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(event) => setEmail(event.currentTarget.value)}
                  error={fieldErrors.email}
                  data-autofocus
                  autoFocus
                />
                <PasswordInput
                  label="Password"
                  visibilityToggleButtonProps={{ 'aria-label': 'Show or hide the password' }}
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(event) => setPassword(event.currentTarget.value)}
                  error={fieldErrors.password}
                />
              </>
            ) : (
              <TextInput
                label="Authenticator code"
                description="The 6-digit code from your authenticator app"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                required
                autoFocus
                value={totp}
                onChange={(event) => setTotp(event.currentTarget.value)}
                error={fieldErrors.totp}
              />
            )}
            <Button type="submit" loading={busy} fullWidth>
              {step === 'password' ? 'Sign in' : 'Verify and sign in'}
            </Button>
            {step === 'totp' && (
              <Anchor component="button" type="button" size="sm" onClick={() => { setStep('password'); setTotp(''); setProblem(undefined); }}>
                Use a different account
              </Anchor>
            )}
          </Stack>
        </form>
        {step === 'password' && <SsoChoices />}
      </Paper>
    </Center>
  );
}
