/**
 * Settings → My profile (C2.8, D25): every signed-in user's own account — details, password, two-factor
 * authentication, trusted devices and sessions. Dashboard cards are customised on the dashboard itself.
 */
import { Anchor, Divider, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

import { useSession } from '../../../auth/useSession';
import { LoadingState } from '../../../components/states';
import { usePasswordPolicy } from '../shared/hooks';
import { SectionHeader } from '../shared/SectionHeader';
import { SessionsSection, TrustedDevicesSection } from './AccessSections';
import { DetailsSection } from './DetailsSection';
import { PasswordSection } from './PasswordSection';
import { TwoFactorSection } from './TwoFactorSection';

export default function ProfileSettings() {
  const { data: me } = useSession();
  const policy = usePasswordPolicy();
  if (!me) return <LoadingState label="Loading your profile…" />;
  return (
    <Stack gap="lg">
      <SectionHeader title="My profile" description="Your own account: how you are named, how you sign in, and where you are signed in." />
      <DetailsSection user={me.user} />
      <Divider />
      <PasswordSection policy={policy} />
      <Divider />
      <TwoFactorSection username={me.user.username} />
      <Divider />
      <TrustedDevicesSection />
      <Divider />
      <SessionsSection />
      <Divider />
      <Stack gap="xs" component="section" aria-labelledby="profile-preferences">
        <Title order={3} size="h4" id="profile-preferences">Preferences</Title>
        <Text size="sm">
          Choose and order the dashboard’s cards with <strong>Customize</strong> on the <Anchor component={Link} to="/">Dashboard</Anchor>.
          Light or dark mode: the theme button in the header. Your organisation’s plan and modules: <Anchor component={Link} to="/settings/plan">Plan and modules</Anchor>.
        </Text>
      </Stack>
    </Stack>
  );
}
