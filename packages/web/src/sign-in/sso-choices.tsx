import { Button, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';

interface SsoChoice {
  readonly id: string;
  readonly name: string;
  readonly practice: string;
}

/** "Sign in with …" for each identity provider a practice has set up; nothing when there is none. */
export function SsoChoices() {
  const [choices, setChoices] = useState<SsoChoice[]>([]);
  useEffect(() => {
    fetch('/auth/sso')
      .then((response) => (response.ok ? (response.json() as Promise<SsoChoice[]>) : []))
      .then(setChoices, () => setChoices([]));
  }, []);
  if (choices.length === 0) return null;
  return (
    <Stack gap="xs" aria-label="Single sign-on">
      <Text size="sm" c="dark.6" ta="center">
        or
      </Text>
      {choices.map((choice) => (
        <Button key={choice.id} component="a" href={`/auth/sso/${choice.id}/start`} variant="default" fullWidth>
          Sign in with {choice.name}
        </Button>
      ))}
    </Stack>
  );
}

/**
 * Coming back from single sign-on, the tokens (or the reason it failed) are in the URL
 * fragment of /app/sso: read them once and take them out of the address bar and history.
 */
export function takeSsoReturn(): { tokens?: { access_token: string; refresh_token: string }; error?: string } | undefined {
  if (window.location.pathname !== '/app/sso' || !window.location.hash) return undefined;
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  window.history.replaceState(null, '', '/app');
  const access = fragment.get('access_token');
  const refresh = fragment.get('refresh_token');
  if (access && refresh) return { tokens: { access_token: access, refresh_token: refresh } };
  return { error: fragment.get('error') ?? 'Single sign-on did not complete; please try again.' };
}
