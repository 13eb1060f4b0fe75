"""``/api/metrics``: monitoring samples per instance."""

from __future__ import annotations

from flask import Blueprint

from deltaflask.models import Metric
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection


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


METRICS = Collection("metrics", "metric", "metric_id", "Metric", to_json)


def register(bp: Blueprint) -> None:
    """Add the metric routes."""
    METRICS.register(bp)
