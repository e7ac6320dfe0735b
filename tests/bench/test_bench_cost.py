"""The cost model (tests/bench/cost.py) fed with this run's measurements: printed, and checked to sum its parts."""
from __future__ import annotations

import math

import pytest

from tests.bench import cost, report

pytestmark = [pytest.mark.bench, pytest.mark.timeout(900)]


def _measured(m) -> cost.Measured:
    return cost.Measured(rru=m.window.rru, wru=m.window.wru, handler_ms=m.timing.handler_ms)


def test_monthly_cost_per_1000_hosts_is_printed_and_sums_its_parts(bench):
    """The monthly cost per 1,000 hosts at hourly check-ins, from the measured operations."""
    # Given
    assumptions = cost.Assumptions()
    measurements = [bench.ping_unchanged, bench.full_unchanged, bench.packages_changed(assumptions.changed_packages)]
    operations = cost.agent_operations(ping=_measured(measurements[0]), full_unchanged=_measured(measurements[1]),
                                       partial=_measured(measurements[2]), assumptions=assumptions)
    # When
    breakdown = cost.monthly_cost(operations, assumptions=assumptions)
    current_keepalive = cost.monthly_cost(operations, assumptions=cost.Assumptions(keepalive_minutes=1))
    # Then
    report.add(measurements[2].name, measurements[2].window, budget="(info: the cost model's daily partial)")
    report.note("handler time per request (median, in process on moto; upper bound): " + ", ".join(
        f"{m.name} {m.timing.handler_ms:.0f} ms (of which DynamoDB/moto {m.timing.dynamodb_ms:.0f} ms)" for m in measurements))
    report.note(breakdown.format())
    report.note(f"with the product's current keepalive (1 message a minute): total ${current_keepalive.total:.4f} per 1,000 hosts")
    assert math.isclose(breakdown.total, sum(line.quantity * line.unit_price for line in breakdown.lines))
    agent_part = sum(line.usd for line in breakdown.lines if not line.component.startswith("API Gateway WebSocket"))
    assert math.isclose(agent_part, sum(breakdown.per_operation.values()))


def test_monthly_cost_by_fleet_size_is_printed(bench):
    """The whole installation a month at 10 to 10,000 hosts (docs/deploy.md): fixed part + measured agent path."""
    from infra.definition import DEFINITION
    from infra.template import render

    def operations(assumptions: cost.Assumptions) -> list[cost.Operation]:
        return cost.agent_operations(ping=_measured(bench.ping_unchanged), full_unchanged=_measured(bench.full_unchanged),
                                     partial=_measured(bench.packages_changed(assumptions.changed_packages)), assumptions=assumptions)

    template = render()
    fixed = cost.installation_lines(template, DEFINITION)
    costs = cost.fleet_costs(operations, template, DEFINITION)
    report.note("installation, no host: " + ", ".join(f"{line.component} ${line.usd:.2f}" for line in fixed))
    report.note("monthly cost by fleet size (keepalive every minute, as the product sends it):\n" + cost.format_fleet(costs))
    assert all(later.per_host < earlier.per_host for earlier, later in zip(costs, costs[1:], strict=False))
