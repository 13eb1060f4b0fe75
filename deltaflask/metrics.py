"""Prometheus metrics at ``/metrics``: requests by frontend, route and status
with their latency, provider calls by driver, operation and outcome, open
circuits, and blob bytes in and out.

Each application counts into its own registry. Under gunicorn the workers are
separate processes: ``deltaflask.gunicorn_conf`` points
``PROMETHEUS_MULTIPROC_DIR`` at a private folder before they start, and
``/metrics`` then adds up what every worker wrote there.

``/metrics`` is outside every frontend and needs no credentials, as a
scraper expects. ``METRICS`` (``DELTAFLASK_METRICS``) turns it off with
``off``; ``METRICS_ALLOW`` (``DELTAFLASK_METRICS_ALLOW``) restricts it to
client addresses in a comma list of networks (``127.0.0.1,10.0.0.0/8``),
others getting a 403.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from typing import Any

from flask import Flask
from flask import Response
from flask import abort
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

#: request latency buckets (seconds): a gateway answers in ms, blobs take long
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1,
    2.5,
    5,
    10,
    30,
    60,
)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Metrics:
    """The metrics of one application."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        #: the labelled series already made (``labels()`` costs a lock and more)
        self._request_series: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
        self._call_series: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        self.requests = Counter(
            "deltaflask_requests",
            "Requests answered, by frontend, route, method and status",
            ("frontend", "route", "method", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "deltaflask_request_duration_seconds",
            "Time to answer a request (up to its first byte for a stream)",
            ("frontend", "route"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.calls = Counter(
            "deltaflask_provider_calls",
            "Driver operations called, by driver, operation and outcome "
            "(ok, client_error, provider_error, unavailable, timeout, error, "
            "rejected by an open circuit)",
            ("driver", "operation", "outcome"),
            registry=registry,
        )
        self.call_latency = Histogram(
            "deltaflask_provider_call_duration_seconds",
            "Time a driver operation took",
            ("driver", "operation"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.circuits_open = Gauge(
            "deltaflask_provider_circuits_open",
            "Providers a driver is not calling for now (circuit breaker open)",
            ("driver",),
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.blob_bytes = Counter(
            "deltaflask_blob_bytes",
            "Blob bytes stored (in) and sent (out)",
            ("direction",),
            registry=registry,
        )

    def request(
        self, frontend: str, route: str, method: str, status: int, seconds: float
    ) -> None:
        """Count one answered request."""
        key = (frontend, route, method, status)
        try:
            counted, timed = self._request_series[key]
        except KeyError:
            counted = self.requests.labels(frontend, route, method, str(status))
            timed = self.latency.labels(frontend, route)
            self._request_series[key] = counted, timed
        counted.inc()
        timed.observe(seconds)

    def provider_call(
        self, driver: str, operation: str, outcome: str, seconds: float
    ) -> None:
        """Count one driver operation (a rejected one took no time)."""
        key = (driver, operation, outcome)
        try:
            counted, timed = self._call_series[key]
        except KeyError:
            counted = self.calls.labels(driver, operation, outcome)
            timed = self.call_latency.labels(driver, operation)
            self._call_series[key] = counted, timed
        counted.inc()
        if outcome != "rejected":
            timed.observe(seconds)

    def circuit(self, driver: str, opened: bool) -> None:
        """A circuit of ``driver`` opened (or closed again)."""
        gauge = self.circuits_open.labels(driver)
        gauge.inc() if opened else gauge.dec()

    def bytes(self, direction: str, count: int) -> None:
        """Count blob bytes going ``in`` or ``out``."""
        if count:
            self.blob_bytes.labels(direction).inc(count)

    def exposition(self) -> bytes:
        """The text every scrape gets: this process's metrics, or every
        worker's under gunicorn."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged)
        return generate_latest(self.registry)


def allowed_networks(value: str | Sequence[str] | None) -> list[Network]:
    """The networks of ``METRICS_ALLOW`` (empty: everyone); a bad entry is a
    ValueError naming it."""
    if not value:
        return []
    entries = value.split(",") if isinstance(value, str) else value
    networks = []
    for entry in (part.strip() for part in entries):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(f"METRICS_ALLOW: '{entry}' is no network") from exc
    return networks


def install(app: Flask) -> Metrics | None:
    """Give ``app`` its metrics and the ``/metrics`` view (``None`` when the
    ``METRICS`` setting is off)."""
    if not app.config["METRICS"]:
        return None
    metrics = Metrics(CollectorRegistry(auto_describe=True))
    networks = allowed_networks(app.config.get("METRICS_ALLOW"))

    @app.get("/metrics")
    def prometheus_metrics() -> Response:
        if networks and not _client_in(networks):
            abort(403)
        return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    return metrics


def _client_in(networks: list[Network]) -> bool:
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(client in network for network in networks)
