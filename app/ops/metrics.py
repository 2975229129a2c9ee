"""Prometheus metrics: request latency by route, assessment time, report build outcomes; /metrics.

With several worker processes set PROMETHEUS_MULTIPROC_DIR (an empty folder per start) and /metrics
adds up every worker's figures (prometheus-client's multiprocess mode); otherwise it shows this process.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REQUEST_SECONDS = Histogram(
    "ceiling_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ASSESSMENT_SECONDS = Histogram(
    "ceiling_assessment_seconds",
    "Time of one run of the scoring engine over the live evidence.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60),
)
REPORT_BUILDS = Counter(
    "ceiling_report_builds_total", "Report builds by outcome (built, unchanged, failed).", ["outcome"]
)


def exposition() -> tuple[bytes, str]:
    """The metrics text and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
