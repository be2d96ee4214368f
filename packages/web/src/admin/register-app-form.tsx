import { Alert, Button, Checkbox, Group, Radio, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { useSession } from '../session/session-context.js';
import { appDraftProblems, appRequestOf, EMPTY_APP_DRAFT, KIND_LABELS, type AppDraft, type AppDraftErrors, type AppKind, type RegisteredApp } from './app-draft.js';

/** The registration form; checks everything the server would before sending. */
export function RegisterAppForm({ onDone }: { onDone: (app: RegisteredApp & { clientSecret?: string }) => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<AppDraft>(EMPTY_APP_DRAFT);
  const [errors, setErrors] = useState<AppDraftErrors>({});
  const register = useMutation({
    mutationFn: () => api.post<RegisteredApp & { clientSecret?: string }>('/admin/apps', appRequestOf(draft)),
    onSuccess: async (app) => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'apps'] });
      onDone(app);
    },
  });
  // A field's complaint goes as soon as it is edited; the next submit checks again.
  const set = <K extends keyof AppDraft>(field: K, value: AppDraft[K]) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setErrors(({ [field as keyof AppDraftErrors]: _fixed, ...rest }) => rest);
  };
  const text = (field: 'name' | 'redirectUris' | 'scopes' | 'jwksUrl' | 'jwks') => (event: { currentTarget: { value: string } }) => set(field, event.currentTarget.value);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = appDraftProblems(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) register.mutate();
  };
  const backend = draft.kind === 'backend';

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {register.isError && (
          <Alert color="red" title="The app was not registered" role="alert">
            {describeError(register.error)}
          </Alert>
        )}
        <TextInput label="Name" required value={draft.name} onChange={text('name')} error={errors.name} data-autofocus />
        <Radio.Group label="Kind" required value={draft.kind} onChange={(value) => set('kind', value as AppKind)}>
          <Stack gap={6} mt={4}>
            {(Object.keys(KIND_LABELS) as AppKind[]).map((kind) => (
              <Radio key={kind} value={kind} label={KIND_LABELS[kind]} />
            ))}
          </Stack>
        </Radio.Group>
        {!backend && (
          <>
            <Textarea
              label="Redirect URIs"
              description="One per line: where the app receives people after they sign in and allow it"
              required
              autosize
              minRows={2}
              value={draft.redirectUris}
              onChange={text('redirectUris')}
              error={errors.redirectUris}
            />
            <Checkbox.Group
              label="Launch"
              description="How people start the app"
              value={[...(draft.launches.ehr ? ['ehr'] : []), ...(draft.launches.standalone ? ['standalone'] : [])]}
              onChange={(values) => set('launches', { ehr: values.includes('ehr'), standalone: values.includes('standalone') })}
            >
              <Stack gap={6} mt={4}>
                <Checkbox value="ehr" label="From a patient’s chart in Unichart (EHR launch)" />
                <Checkbox value="standalone" label="On its own, choosing a patient (standalone launch)" />
              </Stack>
            </Checkbox.Group>
          </>
        )}
        <Textarea
          label="Scopes"
          description={backend ? 'What the service may reach, e.g. system/Patient.rs system/Observation.rs' : 'What the app may reach, e.g. patient/Observation.rs patient/Patient.rs (sign-in and launch scopes are added)'}
          required
          autosize
          minRows={2}
          value={draft.scopes}
          onChange={text('scopes')}
          error={errors.scopes}
        />
        {draft.kind !== 'public' && (
          <Radio.Group
            label="Keys"
            description={backend ? 'A backend service signs its requests with a private key; give its public keys' : 'Without a key the app gets a client secret, shown once'}
            value={draft.keys}
            onChange={(value) => set('keys', value as AppDraft['keys'])}
            error={backend && draft.keys === 'none' ? errors.jwks : undefined}
          >
            <Stack gap={6} mt={4}>
              {!backend && <Radio value="none" label="No key: use a client secret" />}
              <Radio value="url" label="Public key set (JWKS) URL" />
              <Radio value="jwks" label="Paste the public key set (JWKS)" />
            </Stack>
          </Radio.Group>
        )}
        {draft.kind !== 'public' && draft.keys === 'url' && <TextInput label="JWKS URL" required placeholder="https://app.example/.well-known/jwks.json" value={draft.jwksUrl} onChange={text('jwksUrl')} error={errors.jwksUrl} />}
        {draft.kind !== 'public' && draft.keys === 'jwks' && (
          <Textarea label="JWKS" required autosize minRows={4} placeholder='{"keys": [{"kty": "EC", ...}]}' value={draft.jwks} onChange={text('jwks')} error={errors.jwks} styles={{ input: { fontFamily: 'monospace' } }} />
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={register.isPending}>
            Register
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
