import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useSession } from '../session/session-context.js';
import { KIND_LABELS, type RegisteredApp } from './app-draft.js';
import { RegisterAppForm } from './register-app-form.js';

type Registered = RegisteredApp & { readonly clientSecret?: string };

/** SMART on FHIR apps the practice allows: register (client id, and a secret shown once), list, disable. */
export default function AppsPage() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const apps = useQuery({ queryKey: ['admin', 'apps'], queryFn: () => api.get<RegisteredApp[]>('/admin/apps') });
  const [registering, setRegistering] = useState(false);
  const [registered, setRegistered] = useState<Registered | undefined>();
  const [disabling, setDisabling] = useState<RegisteredApp | undefined>();
  const disable = useMutation({
    mutationFn: (app: RegisteredApp) => api.post(`/admin/apps/${app.clientId}/disable`),
    onSuccess: async () => {
      setDisabling(undefined);
      await queryClient.invalidateQueries({ queryKey: ['admin', 'apps'] });
    },
  });
  const closeDisable = () => {
    setDisabling(undefined);
    disable.reset();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Apps
        </Title>
        <Button onClick={() => { setRegistered(undefined); setRegistering(true); }}>Register an app</Button>
      </Group>
      <Text c="gray.7">SMART on FHIR apps that may reach the record: each person still allows an app before it sees anything, and never more than the scopes below.</Text>
      {registered && <RegisteredNotice app={registered} onClose={() => setRegistered(undefined)} />}
      {apps.isPending && <PageLoader label="Loading apps" />}
      {apps.isError && (
        <Alert color="red" title="Apps could not be loaded" role="alert">
          {describeError(apps.error)}
        </Alert>
      )}
      {apps.data?.length === 0 && <Text>No apps registered yet.</Text>}
      {apps.data && apps.data.length > 0 && (
        <ScrollTable label="Apps (scrollable)" minWidth={800}>
          <Table striped aria-label="Apps">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Client id</Table.Th>
                <Table.Th>Scopes</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {apps.data.map((app) => (
                <Table.Tr key={app.clientId}>
                  <Table.Td>{app.name}</Table.Td>
                  <Table.Td>{app.kind}</Table.Td>
                  <Table.Td>
                    <Code>{app.clientId}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ wordBreak: 'break-word' }}>
                      {app.scopes}
                    </Text>
                  </Table.Td>
                  <Table.Td miw={100}>
                    <Badge color={app.status === 'active' ? 'teal.9' : 'gray.7'} variant="filled">
                      {app.status === 'active' ? 'Active' : 'Disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {app.status === 'active' && (
                      <Button size="xs" color="red.9" variant="outline" onClick={() => setDisabling(app)} aria-label={`Disable ${app.name}`}>
                        Disable
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}

      <Modal opened={registering} onClose={() => setRegistering(false)} title="Register an app" size="lg">
        <RegisterAppForm
          onDone={(app) => {
            setRegistering(false);
            setRegistered(app);
          }}
        />
      </Modal>

      <Modal opened={Boolean(disabling)} onClose={closeDisable} title={disabling ? `Disable ${disabling.name}?` : ''}>
        {disabling && (
          <Stack>
            <Text>Every token the app holds stops working at once, and nobody can allow it again. This cannot be undone: register it anew if needed.</Text>
            {disable.isError && (
              <Alert color="red" role="alert" title="That did not work">
                {describeError(disable.error)}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={closeDisable}>
                Cancel
              </Button>
              <Button color="red.9" loading={disable.isPending} onClick={() => disable.mutate(disabling)} data-autofocus>
                Disable
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

/** The client id to configure in the app, and a confidential app's secret: shown this once, never again. */
function RegisteredNotice({ app, onClose }: { app: Registered; onClose: () => void }) {
  return (
    <Alert color="green" title={`${app.name} is registered`} role="status" withCloseButton closeButtonLabel="Dismiss" onClose={onClose}>
      <Stack gap="xs">
        <Text size="sm" c="dark.8">
          {KIND_LABELS[app.kind]}. Configure the app with this client id:
        </Text>
        <Copyable label="Client id" value={app.clientId} />
        {app.clientSecret && (
          <>
            <Text size="sm" c="dark.8" fw={600}>
              Client secret: copy it now and keep it in the app’s configuration. It is not shown again.
            </Text>
            <Copyable label="Client secret" value={app.clientSecret} />
          </>
        )}
      </Stack>
    </Alert>
  );
}

function Copyable({ label, value }: { label: string; value: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Code aria-label={label} style={{ wordBreak: 'break-all' }}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="compact-xs" variant="default" onClick={copy} aria-label={`Copy the ${label.toLowerCase()}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}
