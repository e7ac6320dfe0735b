"""Monthly AWS cost of the agent path per 1,000 hosts, from the benchmark's measured per-operation counts.

Assumptions (per host, per 30-day month):
- 720 check-ins (hourly `POST /hosts/ping`), every one with all hashes matching (the measured warm check-in);
- 30 of them (one a day, the agent's forced full report every 24th tick) are followed by a full report
  in which nothing changed (the measured "full report, 1,500 packages, unchanged");
- 30 of them (one a day) are followed by a partial packages report in which ~5 packages changed (the
  measured partial report with k = 5);
- so 780 REST requests and 780 API Lambda invocations a month;
- the API Lambda has 512 MB on arm64; its duration per request is the median handler time measured in
  process against moto: an upper bound (moto answers large queries far slower than DynamoDB, and it
  includes no network latency either way), billed per started millisecond; cold starts and init are ignored;
- each host keeps one WebSocket connection open all month (43,200 connection-minutes) and receives one
  keepalive message every 5 minutes (8,640 messages, each under the 32 KB metering unit). This is the
  assumption the budget was set with; the product currently sends one per minute (`agent-keepalive`
  schedule, rate(1 minute), because the official agent drops a connection after 90 s of silence): see
  `keepalive_minutes`;
- prices: us-east-1, from the project spec's aws-and-tooling-facts.md §7: DynamoDB on-demand $0.625 per million WRU and
  $0.125 per million RRU; Lambda $0.20 per million requests and $0.0000133334 per GB-s (arm64); API Gateway
  REST $3.50 per million requests; WebSocket $0.25 per million connection-minutes and $1.00 per million
  messages. No free tier is applied.
Not modelled: SQS (not on this path); WebSocket reconnects every 2 h ($connect/$disconnect Lambdas and their
writes), the keepalive Lambda and its index reads, CloudWatch Logs, DynamoDB storage and backups, data transfer.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Prices:
    dynamodb_wru: float = 0.625 / 1e6
    dynamodb_rru: float = 0.125 / 1e6
    lambda_request: float = 0.20 / 1e6
    lambda_gb_second_arm64: float = 0.0000133334
    rest_request: float = 3.50 / 1e6
    ws_connection_minute: float = 0.25 / 1e6
    ws_message: float = 1.00 / 1e6


@dataclass(frozen=True)
class Assumptions:
    hosts: int = 1_000
    days: int = 30
    checkins: int = 720
    full_reports: int = 30
    partial_reports: int = 30
    changed_packages: int = 5
    api_memory_mb: int = 512
    keepalive_minutes: float = 5


@dataclass(frozen=True)
class Operation:
    """One kind of agent request as measured: its DynamoDB capacity and handler time, and how often a host makes it."""

    name: str
    per_host_month: int
    rru: float
    wru: float
    handler_ms: float


@dataclass(frozen=True)
class Line:
    component: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def usd(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Breakdown:
    assumptions: Assumptions
    lines: list[Line] = field(default_factory=list)
    per_operation: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(line.usd for line in self.lines)

    def format(self) -> str:
        a = self.assumptions
        rows = [f"monthly cost per {a.hosts:,} hosts (keepalive every {a.keepalive_minutes:g} min)",
                f"  {'component':<38} {'quantity':>16} {'unit':<18} {'USD':>10}"]
        rows += [f"  {line.component:<38} {line.quantity:>16,.1f} {line.unit:<18} {line.usd:>10.4f}" for line in self.lines]
        rows.append(f"  {'total':<38} {'':>16} {'':<18} {self.total:>10.4f}   (= ${self.total / a.hosts:.5f} per host-month)")
        rows.append("  by agent operation (DynamoDB + Lambda + REST): "
                    + ", ".join(f"{name} ${usd:.4f}" for name, usd in self.per_operation.items()))
        return "\n".join(rows)


@dataclass(frozen=True)
class Measured:
    """What the benchmark measured for one request: capacity units and median handler time."""

    rru: float
    wru: float
    handler_ms: float


def agent_operations(*, ping: Measured, full_unchanged: Measured, partial: Measured,
                     assumptions: Assumptions = Assumptions()) -> list[Operation]:
    """The agent path's operations at the month's counts of the assumptions."""
    a = assumptions
    return [Operation("check-in", a.checkins, ping.rru, ping.wru, ping.handler_ms),
            Operation("full report (unchanged)", a.full_reports, full_unchanged.rru, full_unchanged.wru, full_unchanged.handler_ms),
            Operation(f"partial report ({a.changed_packages} changed)", a.partial_reports, partial.rru, partial.wru, partial.handler_ms)]


def monthly_cost(operations: list[Operation], *, assumptions: Assumptions = Assumptions(), prices: Prices = Prices()) -> Breakdown:
    """Cost of `operations` (at their per-host counts) plus the always-on WebSocket, for `assumptions.hosts` hosts."""
    a, p = assumptions, prices
    gb = a.api_memory_mb / 1024

    def gb_seconds(op: Operation) -> float:
        return op.per_host_month * math.ceil(op.handler_ms) / 1000 * gb

    requests = sum(op.per_host_month for op in operations) * a.hosts
    breakdown = Breakdown(a)
    breakdown.lines = [
        Line("DynamoDB write request units", sum(op.per_host_month * op.wru for op in operations) * a.hosts, "WRU", p.dynamodb_wru),
        Line("DynamoDB read request units", sum(op.per_host_month * op.rru for op in operations) * a.hosts, "RRU", p.dynamodb_rru),
        Line("Lambda requests (API, 512 MB arm64)", requests, "requests", p.lambda_request),
        Line("Lambda compute (API, 512 MB arm64)", sum(gb_seconds(op) for op in operations) * a.hosts, "GB-s", p.lambda_gb_second_arm64),
        Line("API Gateway REST requests", requests, "requests", p.rest_request),
        Line("API Gateway WebSocket connection-minutes", a.days * MINUTES_PER_DAY * a.hosts, "connection-minutes", p.ws_connection_minute),
        Line("API Gateway WebSocket keepalive messages", a.days * MINUTES_PER_DAY / a.keepalive_minutes * a.hosts, "messages", p.ws_message),
    ]
    for op in operations:
        per_request = op.wru * p.dynamodb_wru + op.rru * p.dynamodb_rru + p.lambda_request + p.rest_request
        breakdown.per_operation[op.name] = (op.per_host_month * per_request + gb_seconds(op) * p.lambda_gb_second_arm64) * a.hosts
    return breakdown


# --- a whole installation, by fleet size (docs/deploy.md) ----------------------------------------
@dataclass(frozen=True)
class InstallationPrices:
    """Monthly prices of what an installation pays whatever its fleet (us-east-1, AWS's public price pages;
    unlike `Prices`, not checked against the project spec's §7: confirm with the Pricing Calculator)."""

    kms_key: float = 1.00
    secret: float = 0.40
    alarm: float = 0.10
    hosted_zone: float = 0.50
    cloudfront_request: float = 0.0075 / 10_000  # HTTPS, North America and Europe
    lambda_gb_second_arm64: float = Prices().lambda_gb_second_arm64
    lambda_request: float = Prices().lambda_request


SCHEDULED_SECONDS_PER_RUN = 0.1  # a sweep or heartbeat with nothing to do: a query or two


def _runs_per_month(expression: str, days: int) -> float:
    """How often an EventBridge rule fires in a month: rate(N minute[s]/hour[s]/day[s]) or a daily cron."""
    if expression.startswith("rate("):
        count, unit = expression[5:-1].split()
        minutes = {"minute": 1, "hour": 60, "day": MINUTES_PER_DAY}[unit.rstrip("s")] * int(count)
        return days * MINUTES_PER_DAY / minutes
    return days  # the product's crons run once a day


def installation_lines(template: dict, definition, *, days: int = 30, prices: InstallationPrices = InstallationPrices()) -> list[Line]:
    """What the deployed template costs a month with no host at all: keys, secrets, alarms, DNS, the schedules."""
    kinds = [r["Type"] for r in template["Resources"].values()]
    scheduled = [(s, fn) for fn in definition.functions for s in fn.schedules]
    runs = sum(_runs_per_month(s.expression, days) for s, _ in scheduled)
    gb_seconds = sum(_runs_per_month(s.expression, days) * SCHEDULED_SECONDS_PER_RUN * fn.memory_mb / 1024 for s, fn in scheduled)
    return [
        Line("KMS key (envelope encryption)", kinds.count("AWS::KMS::Key"), "keys", prices.kms_key),
        Line("Secrets Manager secrets", kinds.count("AWS::SecretsManager::Secret"), "secrets", prices.secret),
        Line("CloudWatch alarms", kinds.count("AWS::CloudWatch::Alarm"), "alarms", prices.alarm),
        Line("Route 53 hosted zone", 1, "zones", prices.hosted_zone),
        Line("Lambda requests (schedules)", runs, "requests", prices.lambda_request),
        Line("Lambda compute (schedules, idle)", gb_seconds, "GB-s", prices.lambda_gb_second_arm64),
    ]


@dataclass(frozen=True)
class FleetCost:
    hosts: int
    fixed: float
    per_fleet: float

    @property
    def total(self) -> float:
        return self.fixed + self.per_fleet

    @property
    def per_host(self) -> float:
        return self.total / self.hosts


def fleet_costs(operations_for: Callable[[Assumptions], list[Operation]], template: dict, definition, *,
                sizes: tuple[int, ...] = (10, 100, 1_000, 10_000),
                keepalive_minutes: float = 1, prices: InstallationPrices = InstallationPrices()) -> list[FleetCost]:
    """Monthly cost of an installation of each fleet size: the fixed part plus the agents' part, CloudFront
    requests included (every agent REST request passes through it). `operations_for(assumptions)` gives the
    measured operations at those assumptions."""
    fixed = sum(line.usd for line in installation_lines(template, definition, prices=prices))
    result = []
    for hosts in sizes:
        assumptions = Assumptions(hosts=hosts, keepalive_minutes=keepalive_minutes)
        operations = operations_for(assumptions)
        agents = monthly_cost(operations, assumptions=assumptions).total
        edge = sum(op.per_host_month for op in operations) * hosts * prices.cloudfront_request
        result.append(FleetCost(hosts, fixed, agents + edge))
    return result


def format_fleet(costs: list[FleetCost]) -> str:
    rows = ["| hosts | fixed (no host) | agents | total a month | per host |", "|---:|---:|---:|---:|---:|"]
    rows += [f"| {c.hosts:,} | ${c.fixed:,.2f} | ${c.per_fleet:,.2f} | ${c.total:,.2f} | ${c.per_host:.4f} |" for c in costs]
    return "\n".join(rows)
