import { Alert, Button, Group, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { MAX_IDLE_MINUTES, securityChange, securityDraftOf, securityProblems, type SecurityProblems, type SecuritySettings } from './settings-draft.js';

/** MFA requirement, care-team restriction, emergency access length, automatic logoff. */
export function SecuritySettingsForm({ settings, serverIdleMinutes }: { settings: SecuritySettings; serverIdleMinutes: number | undefined }) {
  const { api, reloadMe } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => securityDraftOf(settings));
  const [problems, setProblems] = useState<SecurityProblems>({});
  const save = useMutation({
    mutationFn: () => api.put<SecuritySettings>('/admin/settings/security', securityChange(draft)),
    onSuccess: async (saved) => {
      setDraft(securityDraftOf(saved));
      queryClient.setQueryData(['admin', 'settings', 'security'], saved);
      // The app's own inactivity warning reads the time from /auth/me.
      await reloadMe();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = securityProblems(draft);
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Security">
      <Stack>
        <Switch
          label="Require two-step sign-in"
          description="Roles marked as needing MFA (administrators, physicians) sign in only with an authenticator code"
          checked={draft.mfaRequired}
          onChange={(e) => setDraft({ ...draft, mfaRequired: e.currentTarget.checked })}
        />
        <Switch
          label="Limit clinicians to their care team’s patients"
          description="Roles marked care-team-only reach other patients only through emergency access"
          checked={draft.careTeamRestriction}
          onChange={(e) => setDraft({ ...draft, careTeamRestriction: e.currentTarget.checked })}
        />
        <Group grow align="flex-start" preventGrowOverflow={false} wrap="wrap">
          <TextInput
            label="Emergency access lasts (minutes)"
            inputMode="numeric"
            required
            value={draft.emergencyAccessMinutes}
            onChange={(e) => setDraft({ ...draft, emergencyAccessMinutes: e.currentTarget.value })}
            error={problems.emergencyAccessMinutes}
          />
          <TextInput
            label="Sign out after inactivity (minutes)"
            description={`Empty: the server’s default${serverIdleMinutes ? ` (${serverIdleMinutes} minutes)` : ''}; at most ${MAX_IDLE_MINUTES}`}
            inputMode="numeric"
            value={draft.idleMinutes}
            onChange={(e) => setDraft({ ...draft, idleMinutes: e.currentTarget.value })}
            error={problems.idleMinutes}
          />
        </Group>
        {save.isError && (
          <Alert color="red" title="The security settings were not saved" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        {save.isSuccess && (
          <Alert color="green" title="Security settings saved" role="status">
            They apply from each person’s next request.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save security settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
