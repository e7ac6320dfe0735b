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
