import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <Stack>
      <Title order={1} size="h2">
        Page not available
      </Title>
      <Text>This page does not exist, or your role does not include it.</Text>
      <Anchor component={Link} to="/app">
        Go to your start page
      </Anchor>
    </Stack>
  );
}
