import { Alert, Stack, Text, Title } from '@mantine/core';
import { SectionCard } from '../section-card.js';
import { useQuery } from '@tanstack/react-query';
import { describeError } from '../../api/problem.js';
import { PageLoader } from '../../shell/page-loader.js';
import { useMe, useSession } from '../../session/session-context.js';
import { ReminderSettingsForm } from './reminder-settings-form.js';
import { SecuritySettingsForm } from './security-settings-form.js';
import type { ReminderSettings, SecuritySettings } from './settings-draft.js';
import { SsoProviders } from './sso-providers.js';

/** The practice's settings: security, appointment reminders, single sign-on. */
export default function SettingsPage() {
  const { api } = useSession();
  const me = useMe();
  const security = useQuery({ queryKey: ['admin', 'settings', 'security'], queryFn: () => api.get<SecuritySettings>('/admin/settings/security') });
  const reminders = useQuery({ queryKey: ['admin', 'settings', 'reminders'], queryFn: () => api.get<ReminderSettings>('/admin/settings/reminders') });

  return (
    <Stack>
      <Title order={1} size="h2">
        Practice settings
      </Title>
      <SectionCard title="Security">
        {security.isPending && <PageLoader label="Loading security settings" />}
        {security.isError && <LoadProblem what="security settings" error={security.error} />}
        {/* Until the practice chooses its own time, /auth/me carries the server's. */}
        {security.data && <SecuritySettingsForm settings={security.data} serverIdleMinutes={security.data.idleMinutes === undefined ? me.idleMinutes : undefined} />}
      </SectionCard>
      <SectionCard title="Appointment reminders">
        {reminders.isPending && <PageLoader label="Loading reminder settings" />}
        {reminders.isError && <LoadProblem what="reminder settings" error={reminders.error} />}
        {reminders.data && <ReminderSettingsForm settings={reminders.data} />}
      </SectionCard>
      <SectionCard title="Single sign-on">
        <Text size="sm">
          Staff can sign in through the practice’s OpenID Connect provider instead of a Unichart password.
        </Text>
        <SsoProviders />
      </SectionCard>
    </Stack>
  );
}

function LoadProblem({ what, error }: { what: string; error: unknown }) {
  return (
    <Alert color="red" title={`The ${what} could not be loaded`} role="alert">
      {describeError(error)}
    </Alert>
  );
}
