import type { Location } from '@medplum/fhirtypes';
import { Alert, Button, Group, NativeSelect, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { describeError } from '../../api/problem.js';
import { useSession } from '../../session/session-context.js';
import { draftOf, KIND_NAMES, locationOf, locationProblems, type LocationDraft, type LocationKind, type LocationProblems } from './location-draft.js';

/** Creates or edits one Location through the FHIR API. */
export function LocationForm({ location, siteId, sites, onDone }: { location: Location | undefined; siteId?: string; sites: readonly Location[]; onDone: (saved: Location) => void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<LocationDraft>(() => draftOf(location, siteId));
  const [problems, setProblems] = useState<LocationProblems>({});
  const save = useMutation({
    mutationFn: () => {
      const resource = locationOf(draft, location, sites.find((s) => s.id === draft.siteId));
      return location?.id ? api.put<Location>(`/fhir/R4/Location/${location.id}`, resource) : api.post<Location>('/fhir/R4/Location', resource);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['Location'] });
      onDone(saved);
    },
  });
  const set = (field: 'name' | 'siteId' | 'phone' | 'line' | 'city' | 'state' | 'postalCode') => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = locationProblems(draft);
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate();
  };
  const isSite = draft.kind === 'site';

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {save.isError && (
          <Alert color="red" title="The location was not saved" role="alert">
            {describeError(save.error)}
          </Alert>
        )}
        <TextInput label="Name" required value={draft.name} onChange={set('name')} error={problems.name} data-autofocus />
        <NativeSelect
          label="Kind"
          value={draft.kind}
          onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as LocationKind })}
          data={Object.entries(KIND_NAMES).map(([value, label]) => ({ value, label }))}
          description={isSite ? undefined : 'Rooms and beds are booked one appointment at a time'}
        />
        {!isSite && (
          <NativeSelect
            label="Site"
            required
            value={draft.siteId}
            onChange={set('siteId')}
            error={problems.siteId}
            data={[{ value: '', label: 'Choose a site…' }, ...sites.map((s) => ({ value: s.id ?? '', label: s.name ?? s.id ?? '' }))]}
          />
        )}
        <TextInput label="Phone" type="tel" value={draft.phone} onChange={set('phone')} error={problems.phone} />
        {isSite && (
          <>
            <TextInput label="Street address" description="Separate lines with commas" value={draft.line} onChange={set('line')} />
            <Group grow align="flex-start" wrap="wrap" preventGrowOverflow={false}>
              <TextInput label="City" value={draft.city} onChange={set('city')} />
              <TextInput label="State" value={draft.state} onChange={set('state')} />
              <TextInput label="Postal code" value={draft.postalCode} onChange={set('postalCode')} />
            </Group>
          </>
        )}
        <Switch label="In use" description="An inactive location is kept on past records but no longer offered" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.currentTarget.checked })} />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save location
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
