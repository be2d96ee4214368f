import { Alert, Button, Group, NativeSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { useSession } from '../session/session-context.js';
import type { Account, Role } from './admin-types.js';

/** The server's rule (identity/passwords.ts), checked here first so the form explains before sending. */
const MIN_PASSWORD_LENGTH = 12;

interface Draft {
  displayName: string;
  email: string;
  role: string;
  password: string;
}

/** Who the account is for: what creating and inviting a user both ask. */
export function validatePerson(draft: Omit<Draft, 'password'>): Partial<Record<'displayName' | 'email' | 'role', string>> {
  const errors: Partial<Record<'displayName' | 'email' | 'role', string>> = {};
  if (!draft.displayName.trim()) errors.displayName = 'Enter the person’s name';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(draft.email.trim())) errors.email = 'Enter an email address such as name@practice.org';
  if (!draft.role) errors.role = 'Choose a role';
  return errors;
}

type PersonField = 'displayName' | 'email' | 'role';

/** The name, email and role inputs both forms show, with their complaints. */
export function PersonFields({ draft, errors, roles, set }: {
  draft: Record<PersonField, string>;
  errors: Partial<Record<PersonField, string>>;
  roles: readonly Role[];
  set: (field: PersonField) => (event: { currentTarget: { value: string } }) => void;
}) {
  return (
    <>
      <TextInput label="Name" required value={draft.displayName} onChange={set('displayName')} error={errors.displayName} data-autofocus />
      <TextInput label="Email" type="email" required value={draft.email} onChange={set('email')} error={errors.email} autoComplete="off" />
      <NativeSelect
        label="Role"
        required
        value={draft.role}
        onChange={set('role')}
        error={errors.role}
        data={[{ value: '', label: 'Choose a role…' }, ...roles.map((role) => ({ value: role.code, label: role.name }))]}
      />
    </>
  );
}

export function validateNewUser(draft: Draft): Partial<Record<keyof Draft, string>> {
  const errors: Partial<Record<keyof Draft, string>> = validatePerson(draft);
  if (draft.password.length < MIN_PASSWORD_LENGTH) errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  return errors;
}

export function CreateUserForm({ roles, onDone }: { roles: readonly Role[]; onDone: (account: Account) => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>({ displayName: '', email: '', role: '', password: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof Draft, string>>>({});
  const create = useMutation({
    mutationFn: () => api.post<Account>('/admin/users', { displayName: draft.displayName.trim(), email: draft.email.trim(), role: draft.role, password: draft.password }),
    onSuccess: async (account) => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
      onDone(account);
    },
  });
  const set = (field: keyof Draft) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateNewUser(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) create.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {create.isError && (
          <Alert color="red" title="The user was not created" role="alert">
            {describeError(create.error)}
          </Alert>
        )}
        <PersonFields draft={draft} errors={errors} roles={roles} set={set} />
        <PasswordInput
          label="Initial password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters; give it to the person privately`}
          required
          value={draft.password}
          onChange={set('password')}
          error={errors.password}
          autoComplete="new-password"
        />
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
