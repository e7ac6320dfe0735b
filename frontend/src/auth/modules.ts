/** Which plan first includes each module (chalicelib/tenant/plans.py), for the tier badge of a locked feature. */
export const MODULE_TIER: Record<string, 'Plus' | 'Max'> = {
  patching_policies: 'Plus',
  rbac_custom: 'Plus',
  custom_branding: 'Plus',
  alerts_advanced: 'Plus',
  ai: 'Max',
  remote_access: 'Max',
  ssh_terminal: 'Max',
  rdp: 'Max',
};
