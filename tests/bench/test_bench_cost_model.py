"""The cost model (tests/bench/cost.py) on numbers small enough to check by hand. Not a benchmark."""
from __future__ import annotations

import math

from tests.bench import cost


def test_cost_model_sums_its_lines_and_prices_each_quantity():
    """One host, one check-in of 1 WRU, 1 RRU and 1 ms: every line is quantity x price, and they add up to the total."""
    a = cost.Assumptions(hosts=1, days=1, checkins=1, full_reports=0, partial_reports=0, keepalive_minutes=60)
    ops = cost.agent_operations(ping=cost.Measured(1, 1, 0.4), full_unchanged=cost.Measured(0, 0, 0),
                                partial=cost.Measured(0, 0, 0), assumptions=a)
    breakdown = cost.monthly_cost(ops, assumptions=a)
    usd = {line.component.split(" (")[0]: line.usd for line in breakdown.lines}
    assert math.isclose(usd["DynamoDB write request units"], 0.625e-6)
    assert math.isclose(usd["DynamoDB read request units"], 0.125e-6)
    assert math.isclose(usd["Lambda compute"], 0.001 * 0.5 * 0.0000133334)  # 0.4 ms bills 1 ms at 0.5 GB
    assert math.isclose(usd["API Gateway WebSocket connection-minutes"], 1440 * 0.25e-6)
    assert math.isclose(usd["API Gateway WebSocket keepalive messages"], 24 * 1e-6)
    assert math.isclose(breakdown.total, sum(usd.values()))


def test_installation_costs_count_the_template_and_its_schedules():
    """The fixed part is read off the rendered template: one key, one price per secret and alarm, the schedules' runs."""
    from infra.definition import DEFINITION
    from infra.template import render

    template = render()
    lines = {line.component: line for line in cost.installation_lines(template, DEFINITION)}
    alarms = sum(1 for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm")
    assert lines["CloudWatch alarms"].quantity == alarms == 2 * len(DEFINITION.functions) + 2 * len(DEFINITION.queues) + 1
    assert lines["Secrets Manager secrets"].quantity == len(DEFINITION.secrets)
    # Three schedules a minute, one every ten minutes, one a day.
    assert lines["Lambda requests (schedules)"].quantity == 3 * 43_200 + 4_320 + 30


def test_fleet_costs_add_the_fixed_part_to_a_per_host_part():
    from infra.definition import DEFINITION
    from infra.template import render

    def operations(a: cost.Assumptions) -> list[cost.Operation]:
        return cost.agent_operations(ping=cost.Measured(0.5, 1, 10), full_unchanged=cost.Measured(3, 10, 50),
                                     partial=cost.Measured(3, 15, 50), assumptions=a)

    small, large = cost.fleet_costs(operations, render(), DEFINITION, sizes=(10, 10_000))
    assert small.fixed == large.fixed > 0
    assert math.isclose(large.per_fleet / small.per_fleet, 1000)  # the agents' part is linear in hosts
    assert small.per_host > large.per_host
