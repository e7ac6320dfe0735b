import { describe, expect, it } from 'vitest';

import { allowedSections, landingSection } from './sections';

describe('settings sections', () => {
  it('lands user managers on Users and everyone else on their profile', () => {
    expect(landingSection(['can_view_users'])).toBe('users');
    expect(landingSection(['can_view_dashboard', 'can_view_hosts'])).toBe('profile');
    expect(landingSection([])).toBe('profile');
  });

  it('shows a read-only user no organisation pages', () => {
    const paths = allowedSections(['can_view_dashboard', 'can_view_hosts', 'can_view_packages']).map((s) => s.path);
    expect(paths).toEqual(['profile', 'host-groups', 'plan']);
  });
});
