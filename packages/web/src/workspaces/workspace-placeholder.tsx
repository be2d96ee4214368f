import { Stack, Text, Title } from '@mantine/core';
import type { Workspace } from '../shell/workspaces.js';

/** A workspace the role has, whose screens are still being built. */
export default function WorkspacePlaceholder({ workspace }: { workspace: Workspace }) {
  return (
    <Stack>
      <Title order={1} size="h2">
        {workspace.label}
      </Title>
      <Text>This workspace is being built. Use the patient search at the top to find a patient.</Text>
    </Stack>
  );
}
