"""``/api/metrics``: monitoring samples per instance."""

from __future__ import annotations

from flask import Blueprint
from flask import Response

from deltaflask.context import current_driver
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Metric
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond


def register(bp: Blueprint) -> None:
    """Add the metric routes."""
    bp.add_url_rule("/metrics", "metrics_index", index, methods=["GET"])
    bp.add_url_rule("/metrics/<metric_id>", "metrics_show", show, methods=["GET"])


def to_json(metric: Metric) -> dict[str, object]:
    """A metric with its samples (``values`` is null in the list)."""
    return {
        "id": metric.id,
        "href": href("metrics", metric.id),
        "entity": metric.entity,
        "properties": [
            {
                "name": name,
                "values": None
                if samples is None
                else [
                    {
                        "minimum": s.minimum,
                        "maximum": s.maximum,
                        "average": s.average,
                        "timestamp": s.timestamp,
                        "unit": s.unit,
                    }
                    for s in samples
                ],
            }
            for name, samples in metric.properties.items()
        ],
    }


def index() -> Response:
    """List metrics, one per monitored instance."""
    metrics = current_driver().metrics(filters(("id",)))
    return respond(
        "metrics/index",
        lambda: {"metrics": [to_json(m) for m in metrics]},
        metrics=metrics,
    )


def show(metric_id: str) -> Response:
    """One metric with samples."""
    metric = current_driver().metric(metric_id)
    if metric is None:
        raise ObjectNotFound(f"Metric '{metric_id}' not found")
    return respond("metrics/show", lambda: {"metric": to_json(metric)}, metric=metric)
