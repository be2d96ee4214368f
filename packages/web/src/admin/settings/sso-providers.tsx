import { Alert, Badge, Button, Group, Modal, PasswordInput, Stack, Switch, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { ScrollTable } from '../../shell/scroll-table.js';
import { useSession } from '../../session/session-context.js';

/** A provider as GET /admin/sso lists it (never with its secret). */
interface SsoProvider {
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly roleClaim?: string;
  readonly required?: boolean;
  readonly enabled: boolean;
}

interface ProviderDraft {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  roleClaim: string;
  required: boolean;
}

const EMPTY: ProviderDraft = { name: '', issuer: '', clientId: '', clientSecret: '', roleClaim: '', required: false };

/** The server's rules (identity/sso/sso-routes.ts), checked first so the form explains before sending. */
export function providerProblems(draft: ProviderDraft): Partial<Record<keyof ProviderDraft, string>> {
  const problems: Partial<Record<keyof ProviderDraft, string>> = {};
  if (!draft.name.trim()) problems.name = 'Enter the name shown on the sign-in button';
  try {
    const url = new URL(draft.issuer.trim());
    if (url.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) problems.issuer = 'The issuer must use https';
  } catch {
    problems.issuer = 'Enter the provider’s URL, such as https://login.example.com/realms/clinic';
  }
  if (!draft.clientId.trim()) problems.clientId = 'Enter the client ID the provider gave the practice';
  if (!draft.clientSecret.trim()) problems.clientSecret = 'Enter the client secret';
  return problems;
}

/** The practice's OpenID Connect providers: add one, see which are on, turn one off. */
export function SsoProviders() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const providers = useQuery({ queryKey: ['admin', 'sso'], queryFn: () => api.get<SsoProvider[]>('/admin/sso') });
  const [adding, setAdding] = useState(false);
  const disable = useMutation({
    mutationFn: (id: string) => api.post(`/admin/sso/${id}/disable`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'sso'] }),
  });

  return (
    <Stack>
      {providers.isPending && <Text role="status">Loading sign-in providers…</Text>}
      {providers.isError && (
        <Alert color="red" title="The sign-in providers could not be loaded" role="alert">
          {describeError(providers.error)}
        </Alert>
      )}
      {providers.data?.length === 0 && <Text>No single sign-on: everyone signs in with an email and password.</Text>}
      {providers.data && providers.data.length > 0 && (
        <ScrollTable label="Single sign-on providers (scrollable)" minWidth={600}>
          <Table aria-label="Single sign-on providers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Issuer</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {providers.data.map((provider) => (
                <Table.Tr key={provider.id}>
                  <Table.Td>{provider.name}</Table.Td>
                  <Table.Td>{provider.issuer}</Table.Td>
                  <Table.Td>
                    <Badge color={provider.enabled ? 'teal.9' : 'gray.7'} variant="filled">
                      {provider.enabled ? (provider.required ? 'On, required' : 'On') : 'Off'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {provider.enabled && (
                      <Button size="xs" variant="outline" color="red.9" loading={disable.isPending && disable.variables === provider.id} onClick={() => disable.mutate(provider.id)} aria-label={`Turn off ${provider.name}`}>
                        Turn off
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {disable.isError && (
        <Alert color="red" title="The provider was not turned off" role="alert">
          {describeError(disable.error)}
        </Alert>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={() => setAdding(true)}>
          Add sign-in provider
        </Button>
      </Group>
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add sign-in provider">
        <ProviderForm onDone={() => setAdding(false)} />
      </Modal>
    </Stack>
  );
}

function ProviderForm({ onDone }: { onDone: () => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ProviderDraft>(EMPTY);
  const [problems, setProblems] = useState<Partial<Record<keyof ProviderDraft, string>>>({});
  const save = useMutation({
    mutationFn: () =>
      api.post('/admin/sso', {
        name: draft.name.trim(),
        issuer: draft.issuer.trim(),
        clientId: draft.clientId.trim(),
        clientSecret: draft.clientSecret.trim(),
        ...(draft.roleClaim.trim() ? { roleClaim: draft.roleClaim.trim() } : {}),
        required: draft.required,
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'sso'] });
      onDone();
    },
  });
  const set = (field: Exclude<keyof ProviderDraft, 'required'>) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = providerProblems(draft);
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {save.isError && (
          <Alert color="red" title="The provider was not added" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        <TextInput label="Button name" required value={draft.name} onChange={set('name')} error={problems.name} data-autofocus />
        <TextInput label="Issuer URL" required value={draft.issuer} onChange={set('issuer')} error={problems.issuer} />
        <TextInput label="Client ID" required value={draft.clientId} onChange={set('clientId')} error={problems.clientId} autoComplete="off" />
        <PasswordInput label="Client secret" required value={draft.clientSecret} onChange={set('clientSecret')} error={problems.clientSecret} autoComplete="off" />
        <TextInput label="Role claim" description="The token claim that names the person’s role (optional)" value={draft.roleClaim} onChange={set('roleClaim')} />
        <Switch label="Everyone must sign in through this provider" checked={draft.required} onChange={(e) => setDraft({ ...draft, required: e.currentTarget.checked })} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Add provider
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
