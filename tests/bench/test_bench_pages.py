"""DESIGN.md §6 budgets of the pages: dashboard summary, packages page, host list, at 10 and 10,000 hosts.

Web authentication runs before every route (session, user, rate-limit counter; the tenant and, for
editable or custom roles, the role's permissions as well): its requests are told apart by their keys
(tests/bench/meter.py AUTH_CATEGORIES), printed as their own rows, and
- included in the dashboard and packages budgets (<= 5 requests for the whole request),
- excluded from the host list budget (<= 2 requests for the route itself), as the budget is stated.
"""
from __future__ import annotations

import pytest

from tests.bench import report

pytestmark = [pytest.mark.bench, pytest.mark.timeout(900)]

FLEETS = ("small", "large")


@pytest.mark.parametrize(("label", "path"), [("dashboard summary", "/api/v1/dashboard/stats"),
                                             ("packages page 1", "/api/v1/packages?limit=50")])
def test_fleet_page_costs_at_most_5_requests_whatever_the_fleet_size(bench, label, path):
    """The page (authentication included) costs at most 5 requests, the same at 10 hosts as at 10,000."""
    # Given / When
    measured = {fleet: bench.page(fleet, path) for fleet in FLEETS}
    # Then
    same = measured["small"].window.requests == measured["large"].window.requests
    for fleet in FLEETS:
        w = measured[fleet].window
        report.add(f"{label} @ {getattr(bench.world, fleet).hosts:,} hosts", w, budget="<=5 requests, same at both sizes",
                   ok=w.requests <= 5 and same)
    details = "\n".join(f"{fleet}:\n{measured[fleet].window.describe()}" for fleet in FLEETS)
    assert all(measured[f].window.requests <= 5 for f in FLEETS) and same, f"{label} over budget\n{details}"


def test_host_list_page_of_50_costs_at_most_2_requests_besides_authentication(bench):
    """A host list page reads the page of hosts and their agents' check-in state: 2 requests, at any fleet size."""
    # Given / When
    measured = {fleet: bench.page(fleet, "/api/v1/hosts?limit=50") for fleet in FLEETS}
    # Then
    for fleet in FLEETS:
        m = measured[fleet]
        hosts = getattr(bench.world, fleet).hosts
        report.add(f"host list page of 50 @ {hosts:,} hosts (route)", m.route, budget="<=2 requests", ok=m.route.requests <= 2)
        report.add(f"host list page of 50 @ {hosts:,} hosts (with auth)", m.window, budget="(info)")
    details = "\n".join(f"{fleet}:\n{measured[fleet].window.describe()}" for fleet in FLEETS)
    assert all(measured[f].route.requests <= 2 for f in FLEETS), f"host list over budget\n{details}"


def test_authentication_cost_of_a_signed_in_request_is_printed(bench):
    """What authentication adds to every signed-in request, warm and with the tenant cache cold."""
    # Given / When
    dashboard = bench.page("small", "/api/v1/dashboard/stats")
    cold = bench.page("small", "/api/v1/dashboard/stats", cold_tenant=True)
    profile = bench.page("small", "/api/v1/auth/profile")
    # Then
    report.add("web auth per request (session, user, rate limit)", dashboard.auth, budget="(info)")
    report.add("web auth, tenant cache cold (once per 30 s)", cold.auth, budget="(info)")
    report.add("baseline GET /auth/profile (whole request)", profile.window, budget="(info)")
    report.note("web auth also writes the session's last activity (UpdateItem SESSION#, 1 WRU) at most once a minute per session; "
                "editable built-in roles (host_manager, readonly) and custom roles add a GetItem ROLE# per request")
    assert [sorted(c.categories) for c in dashboard.route.calls] == [["STATS"]]  # all but the fleet counters' read is authentication
