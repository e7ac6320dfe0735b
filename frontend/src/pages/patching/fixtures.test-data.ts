/** Answers of the patching API for the component tests (the server's field names). */
import type { PatchRun, PatchRunDetail, Rollout } from '../../api/patching';
import { ME } from '../../test/render';

export const PATCHER = { ...ME, permissions: ['can_view_hosts', 'can_view_packages', 'can_manage_patching'], modules: ['patching', 'patching_policies'] };
export const READER = { ...ME, role: 'readonly', permissions: ['can_view_hosts', 'can_view_packages'], modules: ['patching', 'patching_policies'] };

const DELETABLE = new Set(['queued', 'pending_validation', 'pending_approval', 'validated', 'approved', 'scheduled', 'waiting']);

export function patchRun(id: string, status: string, overrides: Partial<PatchRun> = {}): PatchRun {
  return {
    id, host_id: 'h1', host_name: 'web-01', patch_type: 'patch_package', package_names: ['curl', 'openssl'], dry_run: false, status,
    initiated_by: 'root', approved_by: null, created_at: '2026-03-10T10:00:00Z', updated_at: null, scheduled_at: null, started_at: null,
    completed_at: null, policy_name: 'Default', validation_run_id: null, execution_run_id: null, extra_deps_count: 0, error_message: null,
    deletable: DELETABLE.has(status), approvable: ['validated', 'pending_validation', 'pending_approval'].includes(status), ...overrides,
  };
}

export function runDetail(id: string, status: string, overrides: Partial<PatchRunDetail> = {}): PatchRunDetail {
  return {
    ...patchRun(id, status), policy_id: null, policy_snapshot: { name: 'Default', patch_delay_type: 'immediate', timezone: 'UTC' },
    packages_affected: null, shell_output: '', output_seq: 0, output_truncated: false, cancelled_by: null, post_patch: null,
    host: { id: 'h1', friendly_name: 'web-01', hostname: 'web-01.internal', last_report_at: null, exists: true }, ...overrides,
  };
}

export function rollout(id: string, overrides: Partial<Rollout> = {}): Rollout {
  return {
    id, status: 'running', total: 10, max_concurrency: 2, max_errors: 3, ring_success_threshold: 75, current_ring: 0, in_flight: 2, succeeded: 1,
    failed: 1, cancelled: 0, waiting: 6, stop_reason: null, stopped_by: null, created_at: '2026-03-10T10:00:00Z', completed_at: null, source: 'trigger',
    policy_id: null, policy_name: null, initiated_by: 'root',
    rings: [{ size: 4, succeeded: 1, failed: 1, cancelled: 0 }, { size: 6, succeeded: 0, failed: 0, cancelled: 0 }], ...overrides,
  };
}
