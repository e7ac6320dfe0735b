/**
 * Settings: one <h1>, a sidebar of the sections the user may open, and the section itself (each its own chunk,
 * rendering an <h2> with its name). /settings sends the user to their landing section.
 */
import { Box, Grid, NavLink, Stack, Text } from '@mantine/core';
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { Navigate, NavLink as RouterNavLink, Route, Routes, useLocation } from 'react-router';

import { useSession } from '../../auth/useSession';
import { Page } from '../../components/Page';
import { EmptyState, LoadingState } from '../../components/states';
import { allowedSections, landingSection, type SettingsSection } from './sections';

const PAGES: Record<string, LazyExoticComponent<ComponentType>> = {
  users: lazy(() => import('./users')),
  roles: lazy(() => import('./roles')),
  profile: lazy(() => import('./profile')),
  'host-groups': lazy(() => import('./hostGroups')),
  'agent-config': lazy(() => import('./agent')),
  security: lazy(() => import('./security')),
  'audit-log': lazy(() => import('./audit')),
  plan: lazy(() => import('./plan')),
};

function SettingsNav({ sections }: { sections: SettingsSection[] }) {
  const { pathname } = useLocation();
  const groups = [...new Set(sections.map((s) => s.group))];
  return (
    <Box component="nav" aria-label="Settings">
      <Stack gap="md">
        {groups.map((group) => (
          <Stack key={group} gap={2}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm">
              {group}
            </Text>
            {sections
              .filter((s) => s.group === group)
              .map((s) => (
                <NavLink key={s.path} component={RouterNavLink} to={`/settings/${s.path}`} label={s.label}
                  active={pathname === `/settings/${s.path}` || pathname.startsWith(`/settings/${s.path}/`)}
                />
              ))}
          </Stack>
        ))}
      </Stack>
    </Box>
  );
}

export default function SettingsPage() {
  const { data: me } = useSession();
  const permissions = me?.permissions ?? [];
  const sections = allowedSections(permissions);
  return (
    <Page title="Settings">
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <SettingsNav sections={sections} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          <Suspense fallback={<LoadingState />}>
            <Routes>
              <Route index element={<Navigate to={landingSection(permissions)} replace />} />
              {sections.map((s) => {
                const Section = PAGES[s.path];
                if (!Section) return null;
                return <Route key={s.path} path={`${s.path}/*`} element={<Section />} />;
              })}
              <Route path="*" element={<EmptyState title="You do not have access to this page"
                description="It does not exist, or your role does not include it. Ask an administrator of your organisation for access." />}
              />
            </Routes>
          </Suspense>
        </Grid.Col>
      </Grid>
    </Page>
  );
}
