import { Paper, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** One part of an administration page: a bordered region named by its heading. */
export function SectionCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={2} size="h3">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
