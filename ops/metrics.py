"""Metrics in the Prometheus text format at `/metrics`, for the addresses in METRICS_ALLOW only.

Under several worker processes set PROMETHEUS_MULTIPROC_DIR (an empty directory, the same for all
workers of a host): every worker writes its figures there and `/metrics` adds them up.
"""
from __future__ import annotations

import ipaddress
import os
import time

from flask import Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client import REGISTRY

REQUEST_SECONDS = Histogram(
    "desk_request_duration_seconds", "Time to answer a request, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)


def allowed_networks(setting: str) -> list:
    """The networks of a comma-separated METRICS_ALLOW ("127.0.0.1, ::1, 10.0.0.0/8")."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def is_allowed(address: str | None, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


def registry() -> CollectorRegistry:
    """All workers' figures when they share a directory; this process's otherwise."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined


def register_metrics(app: Flask) -> None:
    """Time every request; serve `/metrics` to allowed addresses (404 to the rest, like any unknown page)."""
    networks = allowed_networks(app.config["METRICS_ALLOW"])

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            REQUEST_SECONDS.labels(request.endpoint or "unknown", request.method,
                                   str(response.status_code)).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics():
        if not is_allowed(request.remote_addr, networks):
            abort(404)
        return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)
