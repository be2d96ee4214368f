import { AppShell, Burger, Button, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { IdleLogoff } from '../session/idle-logoff.js';
import { useMe, useSession } from '../session/session-context.js';
import { PatientSearchBox } from '../patients/patient-search-box.js';
import type { Workspace } from './workspaces.js';
import classes from './app-layout.module.css';

const SECTIONS: Workspace['section'][] = ['Care', 'Practice', 'Administration', 'My health'];

/** Header with the patient search and the account menu, the role's menu, and the page. */
export function AppLayout({ workspaces }: { workspaces: readonly Workspace[] }) {
  const me = useMe();
  const { signOut } = useSession();
  const [navOpen, nav] = useDisclosure(false);
  const location = useLocation();
  const canSearchPatients = workspaces.some((w) => w.key === 'patients');

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'md', collapsed: { mobile: !navOpen } }} padding="md">
      <a className={classes.skipLink} href="#main-content">
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpen} onClick={nav.toggle} hiddenFrom="md" size="sm" aria-label={navOpen ? 'Close menu' : 'Open menu'} />
            <Text fw={700} size="lg" component="span">
              Unichart
            </Text>
          </Group>
          {canSearchPatients && <PatientSearchBox />}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <UnstyledButton className={classes.account} aria-label={`Account: ${me.displayName}, ${me.roleName}`}>
                <Text size="sm" fw={600} truncate>
                  {me.displayName}
                </Text>
                <Text size="xs" c="gray.7" truncate>
                  {me.roleName}
                </Text>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{me.email}</Menu.Label>
              <Menu.Item component={Link} to="/app/account">
                Your account and two-step sign-in
              </Menu.Item>
              <Menu.Item onClick={() => void signOut()}>Sign out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Workspaces">
        <ScrollArea>
          <Stack gap="md">
            {SECTIONS.map((section) => {
              const entries = workspaces.filter((w) => w.section === section);
              if (entries.length === 0) return null;
              return (
                <div key={section}>
                  <Text size="xs" fw={700} tt="uppercase" c="gray.7" px="sm" pb={4} component="h2">
                    {section}
                  </Text>
                  {entries.map((w) => (
                    <NavLink
                      key={w.key}
                      component={RouterNavLink}
                      to={w.path}
                      label={w.label}
                      variant="filled"
                      active={location.pathname === w.path || location.pathname.startsWith(`${w.path}/`)}
                      onClick={nav.close}
                    />
                  ))}
                </div>
              );
            })}
          </Stack>
          <Button variant="subtle" mt="xl" fullWidth onClick={() => void signOut()}>
            Sign out
          </Button>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main-content" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
      <IdleLogoff />
    </AppShell>
  );
}
