import { Alert, Badge, Button, Card, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/problem.js';
import { PageLoader } from '../shell/page-loader.js';
import { ScrollTable } from '../shell/scroll-table.js';
import { useRoles } from './admin-queries.js';
import type { Role } from './admin-types.js';
import { RoleEditor } from './role-editor.js';

const NEW_ROLE: Role = { code: '', name: '', policy: { rules: [{ resourceTypes: ['Patient'], interactions: ['read', 'search'] }] } };

/** Roles are access policies: which resource types each may touch, how, and whether only its own record. */
export default function RolesPage() {
  const roles = useRoles();
  const [editing, setEditing] = useState<{ role: Role; isNew: boolean } | undefined>();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Roles and permissions
        </Title>
        <Button onClick={() => setEditing({ role: NEW_ROLE, isNew: true })}>New role</Button>
      </Group>
      <Text c="gray.7">Anything a role is not granted here is denied. Changes apply to everyone with the role at their next action.</Text>
      {roles.isPending && <PageLoader label="Loading roles" />}
      {roles.isError && (
        <Alert color="red" title="Roles could not be loaded" role="alert">
          {describeError(roles.error)}
        </Alert>
      )}
      {roles.data?.map((role) => (
        <Card withBorder key={role.code} component="section" aria-labelledby={`role-${role.code}`}>
          <Group justify="space-between" mb="xs">
            <Group gap="xs">
              <Title order={2} size="h4" id={`role-${role.code}`}>
                {role.name}
              </Title>
              <Text size="sm" c="gray.7">
                ({role.code})
              </Text>
              {role.policy.administration && (
                <Badge color="violet.9" variant="filled">
                  Manages accounts and roles
                </Badge>
              )}
            </Group>
            <Button size="xs" variant="outline" onClick={() => setEditing({ role, isNew: false })} aria-label={`Edit ${role.name}`}>
              Edit
            </Button>
          </Group>
          <ScrollTable label={`Permissions of ${role.name} (scrollable)`} minWidth={500}>
            <Table aria-label={`Permissions of ${role.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Resource types</Table.Th>
                  <Table.Th>May</Table.Th>
                  <Table.Th>Scope</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {role.policy.rules.map((rule, index) => (
                  <Table.Tr key={index}>
                    <Table.Td>{rule.resourceTypes.map((t) => (t === '*' ? 'All (except the audit trail)' : t)).join(', ')}</Table.Td>
                    <Table.Td>{rule.interactions.join(', ')}</Table.Td>
                    <Table.Td>{rule.ownCompartment ? 'Own record only' : 'Whole practice'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        </Card>
      ))}
      <Modal opened={Boolean(editing)} onClose={() => setEditing(undefined)} title={editing?.isNew ? 'New role' : `Edit ${editing?.role.name ?? ''}`} size="xl">
        {editing && <RoleEditor role={editing.role} isNew={editing.isNew} onDone={() => setEditing(undefined)} />}
      </Modal>
    </Stack>
  );
}
