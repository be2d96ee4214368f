import { Alert, Button, Checkbox, Fieldset, Group, List, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/problem.js';
import { useSession } from '../session/session-context.js';
import type { Role } from './admin-types.js';
import { draftOf, INTERACTIONS, policyOf, roleDraftProblems, type RoleDraft, type RuleDraft } from './role-draft.js';

export function RoleEditor({ role, isNew, onDone }: { role: Role; isNew: boolean; onDone: () => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<RoleDraft>(() => draftOf(role));
  const [problems, setProblems] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: () => api.put(`/admin/roles/${encodeURIComponent(draft.code)}`, { name: draft.name.trim(), policy: policyOf(draft) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['admin', 'roles'] });
      onDone();
    },
  });

  const setRule = (index: number, change: Partial<RuleDraft>) => setDraft({ ...draft, rules: draft.rules.map((rule, i) => (i === index ? { ...rule, ...change } : rule)) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = roleDraftProblems(draft);
    setProblems(found);
    if (found.length === 0) save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {problems.length > 0 && (
          <Alert color="red" title="Check the role" role="alert">
            <List size="sm">
              {problems.map((problem) => (
                <List.Item key={problem}>{problem}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        {save.isError && (
          <Alert color="red" title="The role was not saved" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput label="Code" description="Lower-case, e.g. lab-tech" required disabled={!isNew} value={draft.code} onChange={(e) => setDraft({ ...draft, code: e.currentTarget.value })} />
          <TextInput label="Name" required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        </Group>
        <Switch
          label="Manages accounts, roles and practice settings"
          checked={draft.administration}
          onChange={(e) => setDraft({ ...draft, administration: e.currentTarget.checked })}
        />
        {draft.rules.map((rule, index) => (
          <Fieldset key={index} legend={`Rule ${index + 1}`}>
            <Stack gap="sm">
              <TagsInput
                label="Resource types"
                description="Press Enter after each type; * means all types except the audit trail"
                value={rule.resourceTypes}
                onChange={(resourceTypes) => setRule(index, { resourceTypes })}
                splitChars={[',', ' ']}
              />
              <Checkbox.Group label="Allowed interactions" value={rule.interactions} onChange={(interactions) => setRule(index, { interactions })}>
                <Group mt={4} gap="md">
                  {INTERACTIONS.map((interaction) => (
                    <Checkbox key={interaction} value={interaction} label={interaction} />
                  ))}
                </Group>
              </Checkbox.Group>
              <Group justify="space-between">
                <Switch label="Only the person's own record (patients)" checked={rule.ownCompartment} onChange={(e) => setRule(index, { ownCompartment: e.currentTarget.checked })} />
                <Button variant="outline" color="red.9" size="xs" onClick={() => setDraft({ ...draft, rules: draft.rules.filter((_, i) => i !== index) })}>
                  Remove rule {index + 1}
                </Button>
              </Group>
            </Stack>
          </Fieldset>
        ))}
        <Group justify="space-between">
          <Button variant="default" onClick={() => setDraft({ ...draft, rules: [...draft.rules, { resourceTypes: [], interactions: ['read', 'search'], ownCompartment: false }] })}>
            Add rule
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save role
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
