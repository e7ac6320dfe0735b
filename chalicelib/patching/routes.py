"""Patching: runs, the agent's output, previews and policies (reference-server.md §1 "Patching")."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.agent_protocol.constants import MAX_REPORT_BYTES
from chalicelib.core.pagination import page_size
from chalicelib.patching import holds, output, policies, rollouts, runs, schemas
from chalicelib.web.route import Request, route

bp = Blueprint(__name__)
TAGS = ("patching",)
VIEW, MANAGE = "can_view_hosts", "can_manage_patching"
RUNS, POLICIES = "patching", "patching_policies"


@route(bp, "/patching/dashboard", summary="Runs by status (also `active`, `awaiting_approval`) and the latest runs (`recent=false`: counts only)",
       tags=TAGS, permission=VIEW, module=RUNS)
def patching_dashboard(request: Request) -> dict:
    return runs.dashboard(request.ctx, with_recent=request.query.get("recent", "true").lower() not in ("false", "0", "no"))


@route(bp, "/patching/runs", tags=TAGS,
       summary="Patch runs, newest first (status: a status, `active` or `awaiting_approval`; type; host_id; rollout_id; cursor pages)",
       permission=VIEW, module=RUNS)
def list_patch_runs(request: Request) -> dict:
    q = request.query
    return runs.list_(request.ctx, limit=page_size(q.get("limit"), default=25), cursor=q.get("cursor"), status=q.get("status") or None,
                      patch_type=q.get("type") or None, host_id=q.get("host_id") or None, rollout_id=q.get("rollout_id") or None)


@route(bp, "/patching/runs/{run_id}", summary="One run with its output, packages affected and policy snapshot", tags=TAGS,
       permission=VIEW, module=RUNS)
def get_patch_run(request: Request) -> dict:
    return runs.get(request.ctx, run_id=request.path_params["run_id"])


@route(bp, "/patching/trigger", methods=("POST",), summary="Create patch runs (one per host): dry run, for approval, or timed by policy",
       tags=TAGS, permission=MANAGE, module=RUNS, request_model=schemas.TriggerRequest, status=201)
def trigger_patch_run(request: Request) -> dict:
    return runs.trigger(request.ctx, request.body)


@route(bp, "/patching/runs/{run_id}/approve", methods=("POST",), summary="Approve a run: creates its execution run", tags=TAGS,
       permission=MANAGE, module=RUNS, request_model=schemas.ApproveRequest, status=201, error_statuses=(409,))
def approve_patch_run(request: Request) -> dict:
    return runs.approve(request.ctx, run_id=request.path_params["run_id"], schedule_override=request.body.schedule_override,
                        reboot_policy=request.body.reboot_policy)


@route(bp, "/patching/runs/{run_id}/retry-validation", methods=("POST",), summary="Send a dry run pending validation again", tags=TAGS,
       permission=MANAGE, module=RUNS, status=202, error_statuses=(409,))
def retry_patch_validation(request: Request) -> dict:
    return runs.retry_validation(request.ctx, run_id=request.path_params["run_id"])


@route(bp, "/patching/runs/{run_id}/stop", methods=("POST",), summary="Stop a running run (the agent interrupts it)", tags=TAGS,
       permission=MANAGE, module=RUNS, status=202, error_statuses=(409,))
def stop_patch_run(request: Request) -> dict:
    return runs.stop(request.ctx, run_id=request.path_params["run_id"])


@route(bp, "/patching/runs/{run_id}", methods=("DELETE",), summary="Delete a run that has not started, with its schedule", tags=TAGS,
       permission=MANAGE, module=RUNS, error_statuses=(409,))
def delete_patch_run(request: Request) -> dict:
    runs.delete(request.ctx, run_id=request.path_params["run_id"])
    return {"message": "Patch run deleted"}


@route(bp, "/patching/preview-run", summary="When a run on a host would fire, and by which policy", tags=TAGS, permission=VIEW, module=RUNS)
def preview_patch_run(request: Request) -> dict:
    from chalicelib.core import errors

    host_id = request.query.get("host_id")
    if not host_id:
        raise errors.InvalidInput("host_id is required")
    return policies.preview(request.ctx, host_id=host_id)


@route(bp, "/patching/runs/{run_id}/output", methods=("POST",), summary="The agent's output and stages of a run it executes", tags=TAGS,
       agent=True, request_model=schemas.OutputRequest, max_body_bytes=MAX_REPORT_BYTES, error_statuses=(404, 409, 413))
def post_patch_output(request: Request) -> dict:
    return output.receive(request.agent, run_id=request.path_params["run_id"], body=request.body)


# --- policies ---------------------------------------------------------------------------------------
@route(bp, "/patching/policies", summary="Patch policies with their assignment counts", tags=TAGS, permission=VIEW, module=POLICIES)
def list_patch_policies(request: Request) -> dict:
    return {"items": policies.list_(request.ctx)}


@route(bp, "/patching/policies", methods=("POST",), summary="Create a patch policy", tags=TAGS, permission=MANAGE, module=POLICIES,
       request_model=schemas.PolicyWrite, status=201)
def create_patch_policy(request: Request) -> dict:
    return policies.create(request.ctx, request.body)


@route(bp, "/patching/policies/{policy_id}", summary="A policy with its assignments and exclusions", tags=TAGS, permission=VIEW,
       module=POLICIES)
def get_patch_policy(request: Request) -> dict:
    return policies.get(request.ctx, policy_id=request.path_params["policy_id"])


@route(bp, "/patching/policies/{policy_id}", methods=("PUT",), summary="Change a policy (future runs only)", tags=TAGS, permission=MANAGE,
       module=POLICIES, request_model=schemas.PolicyWrite)
def update_patch_policy(request: Request) -> dict:
    return policies.update(request.ctx, policy_id=request.path_params["policy_id"], data=request.body)


@route(bp, "/patching/policies/{policy_id}", methods=("DELETE",), summary="Delete a policy with its assignments and exclusions", tags=TAGS,
       permission=MANAGE, module=POLICIES)
def delete_patch_policy(request: Request) -> dict:
    policies.delete(request.ctx, policy_id=request.path_params["policy_id"])
    return {"message": "Policy deleted"}


@route(bp, "/patching/policies/{policy_id}/assignments", summary="A policy's assignments", tags=TAGS, permission=VIEW, module=POLICIES)
def list_patch_policy_assignments(request: Request) -> dict:
    return {"items": policies.get(request.ctx, policy_id=request.path_params["policy_id"])["assignments"]}


@route(bp, "/patching/policies/{policy_id}/assignments", methods=("POST",), summary="Assign a policy to a host or host group", tags=TAGS,
       permission=MANAGE, module=POLICIES, request_model=schemas.AssignmentCreate, status=201, error_statuses=(409,))
def add_patch_policy_assignment(request: Request) -> dict:
    return policies.add_assignment(request.ctx, policy_id=request.path_params["policy_id"], data=request.body)


@route(bp, "/patching/policies/{policy_id}/assignments/{assignment_id}", methods=("DELETE",), summary="Remove an assignment", tags=TAGS,
       permission=MANAGE, module=POLICIES)
def remove_patch_policy_assignment(request: Request) -> dict:
    policies.remove_assignment(request.ctx, policy_id=request.path_params["policy_id"], assignment_id=request.path_params["assignment_id"])
    return {"message": "Assignment removed"}


@route(bp, "/patching/policies/{policy_id}/exclusions", methods=("POST",), summary="Exclude a host from a policy's group assignments",
       tags=TAGS, permission=MANAGE, module=POLICIES, request_model=schemas.ExclusionCreate, status=201, error_statuses=(409,))
def add_patch_policy_exclusion(request: Request) -> dict:
    return policies.add_exclusion(request.ctx, policy_id=request.path_params["policy_id"], host_id=request.body.host_id)


@route(bp, "/patching/policies/{policy_id}/exclusions/{host_id}", methods=("DELETE",), summary="Remove an exclusion", tags=TAGS,
       permission=MANAGE, module=POLICIES)
def remove_patch_policy_exclusion(request: Request) -> dict:
    policies.remove_exclusion(request.ctx, policy_id=request.path_params["policy_id"], host_id=request.path_params["host_id"])
    return {"message": "Exclusion removed"}


# --- package holds -------------------------------------------------------------------------------------
@route(bp, "/patching/holds", summary="Package holds (name patterns); for a host (host_id) the ones that apply to it", tags=TAGS,
       permission=VIEW, module=POLICIES)
def list_package_holds(request: Request) -> dict:
    return {"items": holds.list_(request.ctx, host_id=request.query.get("host_id") or None, group_id=request.query.get("group_id") or None)}


@route(bp, "/patching/holds", methods=("POST",), summary="Hold packages matching a pattern on a host or every host of a group", tags=TAGS,
       permission=MANAGE, module=POLICIES, request_model=schemas.HoldCreate, status=201, error_statuses=(409,))
def create_package_hold(request: Request) -> dict:
    body: schemas.HoldCreate = request.body
    return holds.create(request.ctx, target_type=body.target_type, target_id=body.target_id, pattern=body.pattern, reason=body.reason)


@route(bp, "/patching/holds/{hold_id}", methods=("DELETE",), summary="Release a hold", tags=TAGS, permission=MANAGE, module=POLICIES)
def delete_package_hold(request: Request) -> dict:
    holds.delete(request.ctx, hold_id=request.path_params["hold_id"])
    return {"message": "Hold released"}


# --- rollouts --------------------------------------------------------------------------------------------
@route(bp, "/patching/rollouts", summary="The latest rollouts with their progress", tags=TAGS, permission=VIEW, module=POLICIES)
def list_patch_rollouts(request: Request) -> dict:
    return {"items": rollouts.list_(request.ctx.tenant_id, limit=page_size(request.query.get("limit"), default=25))}


@route(bp, "/patching/rollouts/{rollout_id}", summary="A rollout's limits, rings and progress (its runs: GET /patching/runs?rollout_id=)",
       tags=TAGS, permission=VIEW, module=POLICIES)
def get_patch_rollout(request: Request) -> dict:
    return runs.get_rollout(request.ctx, rollout_id=request.path_params["rollout_id"])


@route(bp, "/patching/rollouts/{rollout_id}/stop", methods=("POST",), summary="Stop a rollout: waiting runs cancelled, running runs stopped",
       tags=TAGS, permission=MANAGE, module=POLICIES, status=202)
def stop_patch_rollout(request: Request) -> dict:
    return runs.stop_rollout(request.ctx, rollout_id=request.path_params["rollout_id"])
