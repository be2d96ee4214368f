import type { Bundle, Device, Location } from '@medplum/fhirtypes';
import { Alert, Badge, Button, Group, Modal, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../api/problem.js';
import { useLocations } from '../../front-desk/directory.js';
import { entriesOf } from '../../front-desk/fhir-resources.js';
import { PageLoader } from '../../shell/page-loader.js';
import { ScrollTable } from '../../shell/scroll-table.js';
import { useSession } from '../../session/session-context.js';
import { KIND_NAMES, kindOf, sitesWithRooms } from './location-draft.js';
import { LocationForm } from './location-form.js';

type Editing = { location: Location | undefined; siteId?: string };

/** The practice's sites and the rooms and beds in each; equipment is listed below. */
export default function LocationsPage() {
  const locations = useLocations();
  const [editing, setEditing] = useState<Editing>();
  const [saved, setSaved] = useState<Location>();
  const groups = locations.data ? sitesWithRooms(locations.data) : [];
  const sites = (locations.data ?? []).filter((l) => kindOf(l) === 'site');
  const open = (next: Editing) => {
    setSaved(undefined);
    setEditing(next);
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Locations and rooms
        </Title>
        <Button onClick={() => open({ location: undefined })}>Add site</Button>
      </Group>
      {saved && (
        <Alert color="green" title="Location saved" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setSaved(undefined)}>
          {saved.name} is saved.
        </Alert>
      )}
      {locations.isPending && <PageLoader label="Loading locations" />}
      {locations.isError && (
        <Alert color="red" title="The locations could not be loaded" role="alert">
          {describeError(locations.error)}
        </Alert>
      )}
      {locations.data?.length === 0 && <Text>No locations yet: add the practice’s first site.</Text>}
      {groups.map(({ site, rooms }) => (
        <Paper key={site?.id ?? 'no-site'} withBorder p="md" component="section" aria-label={site?.name ?? 'Rooms without a site'}>
          <Stack gap="sm">
            <Group justify="space-between" wrap="wrap">
              <div>
                <Title order={2} size="h3">
                  {site?.name ?? 'Rooms without a site'} {site && <StatusBadge location={site} />}
                </Title>
                {site && <Text size="sm">{[site.address?.line?.join(', '), site.address?.city, site.telecom?.find((t) => t.system === 'phone')?.value].filter(Boolean).join(' · ') || 'No address'}</Text>}
              </div>
              {site && (
                <Group gap="xs">
                  <Button size="xs" variant="default" onClick={() => open({ location: site })} aria-label={`Edit ${site.name}`}>
                    Edit
                  </Button>
                  <Button size="xs" variant="outline" onClick={() => open({ location: undefined, siteId: site.id })} aria-label={`Add room to ${site.name}`}>
                    Add room
                  </Button>
                </Group>
              )}
            </Group>
            {rooms.length === 0 ? (
              <Text size="sm">No rooms yet.</Text>
            ) : (
              <ScrollTable label={`Rooms of ${site?.name ?? 'no site'} (scrollable)`} minWidth={480}>
                <Table aria-label={`Rooms of ${site?.name ?? 'no site'}`}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Kind</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {rooms.map((room) => (
                      <Table.Tr key={room.id}>
                        <Table.Td>{room.name}</Table.Td>
                        <Table.Td>{KIND_NAMES[kindOf(room)]}</Table.Td>
                        <Table.Td>
                          <StatusBadge location={room} />
                        </Table.Td>
                        <Table.Td>
                          <Group justify="flex-end">
                            <Button size="xs" variant="default" onClick={() => open({ location: room })} aria-label={`Edit ${room.name}`}>
                              Edit
                            </Button>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            )}
          </Stack>
        </Paper>
      ))}
      <Equipment />
      <Modal opened={Boolean(editing)} onClose={() => setEditing(undefined)} title={editing?.location ? `Edit ${editing.location.name}` : editing?.siteId ? 'Add room' : 'Add site'}>
        {editing && (
          <LocationForm
            location={editing.location}
            siteId={editing.siteId}
            sites={sites}
            onDone={(location) => {
              setEditing(undefined);
              setSaved(location);
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}

function StatusBadge({ location }: { location: Location }) {
  const active = (location.status ?? 'active') === 'active';
  return (
    <Badge color={active ? 'teal.9' : 'gray.7'} variant="filled">
      {active ? 'Active' : location.status === 'suspended' ? 'Closed for now' : 'Inactive'}
    </Badge>
  );
}

/** Bookable equipment (Device), read-only here. */
function Equipment() {
  const { api } = useSession();
  const devices = useQuery({ queryKey: ['Device', 'equipment'], queryFn: async () => entriesOf<Device>(await api.get<Bundle>('/fhir/R4/Device?_count=200'), 'Device') });
  return (
    <Paper withBorder p="md" component="section" aria-label="Equipment">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Equipment
        </Title>
        {devices.isPending && <Text role="status">Loading equipment…</Text>}
        {devices.isError && (
          <Alert color="red" title="The equipment could not be loaded" role="alert">
            {describeError(devices.error)}
          </Alert>
        )}
        {devices.data?.length === 0 && <Text size="sm">No equipment is recorded.</Text>}
        {devices.data && devices.data.length > 0 && (
          <Table aria-label="Equipment">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Where</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {devices.data.map((device) => (
                <Table.Tr key={device.id}>
                  <Table.Td>{device.deviceName?.[0]?.name ?? device.type?.text ?? device.id}</Table.Td>
                  <Table.Td>{device.location?.display ?? device.location?.reference ?? '—'}</Table.Td>
                  <Table.Td>{device.status ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}
