"""The one Logger, Metrics and Tracer of the process (Powertools).

The service name comes from POWERTOOLS_SERVICE_NAME, which the infrastructure definition sets per
function. Dimensions stay `service` only; tenant ids go into metadata, never dimensions.
"""
from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics(namespace="PatchMon")
tracer = Tracer()
