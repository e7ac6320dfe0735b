/** The signed-in shell: header, main navigation (a menu on narrow screens), skip link, focus on navigation. */
import { AppShell, Burger, Button, Group, NavLink, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { NavLink as RouterNavLink, Outlet, Link, useLocation, useNavigate } from 'react-router';

import { authApi } from '../api/auth';
import { useSession } from '../auth/useSession';
import { NAV_ITEMS } from '../navigation';
import { fullName } from './format';
import { SkipLink } from './SkipLink';
import { ThemeToggle } from './ThemeToggle';
import { useRouteFocus } from './useRouteFocus';
import { useToast } from './useToast';

const NAVBAR_ID = 'main-navigation';

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure(false);
  const narrow = useMediaQuery('(max-width: 47.99em)');
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const { data: me } = useSession();
  useRouteFocus(main);

  useEffect(() => close(), [pathname, close]);
  // Off-screen links must not take focus or be read out while the menu is closed on a narrow screen.
  const navHidden = narrow && !opened;

  const items = NAV_ITEMS.filter((item) => (!item.permission || me?.permissions.includes(item.permission))
    && (!item.module || me?.modules.includes(item.module)));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <SkipLink />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-controls={NAVBAR_ID} aria-expanded={opened}
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <UnstyledButton component={Link} to="/" fw={700} fz="lg" style={{ whiteSpace: 'nowrap' }}>
              PatchMon Cloud
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" c="dimmed" visibleFrom="sm" truncate maw={220}>
              {me ? fullName(me.user) || me.user.username : ''}
            </Text>
            <ThemeToggle />
            <LogoutButton />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" id={NAVBAR_ID} aria-label="Main" style={navHidden ? { visibility: 'hidden' } : undefined} onKeyDown={(event) => {
        if (event.key === 'Escape' && opened) close();
      }}
      >
        {items.map((item) => (
          <NavLink key={item.to} component={RouterNavLink} to={item.to} end={item.to === '/'} label={item.label}
            active={item.to === '/' ? pathname === '/' : pathname === item.to || pathname.startsWith(`${item.to}/`)}
            onClick={close} // the menu closes on navigation, and also when the link is the page already shown
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main-content" ref={main} tabIndex={-1} style={{ outline: 'none' }}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}

function LogoutButton() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const logout = useMutation({
    mutationFn: authApi.logout,
    onSettled: () => {
      queryClient.clear();
      void navigate('/login', { replace: true });
      toast.show({ tone: 'success', message: 'You have been signed out.' });
    },
  });
  return (
    <Button variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
      Log out
    </Button>
  );
}
