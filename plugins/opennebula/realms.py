"""Realms from OpenNebula clusters.

A cluster is AVAILABLE while one of its hosts is monitored (``MONITORED`` or
being monitored again), UNAVAILABLE otherwise; instances are placed in a
realm through a ``CLUSTER_ID`` scheduling requirement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.drivers.base import filter_on
from deltaflask.models import Realm
from deltaflask.plugins.opennebula.base import OneBase
from deltaflask.plugins.opennebula.base import pool_items

#: host states in which a host runs VMs: MONITORING_MONITORED, MONITORED
HOST_UP = frozenset({1, 2})


class OneRealms(OneBase):
    """Realms of the opennebula driver (mixed into ``OneDriver``)."""

    def realms(self, filters: Mapping[str, Any]) -> list[Realm]:
        """Clusters as realms, filtered by ``id``."""
        clusters = pool_items(self.call("clusterpool.info"), "CLUSTER")
        hosts = pool_items(self.call("hostpool.info"), "HOST")
        up = {int(h.CLUSTER_ID) for h in hosts if int(h.STATE) in HOST_UP}
        found = [
            Realm(
                str(c.ID),
                str(c.NAME),
                "AVAILABLE" if int(c.ID) in up else "UNAVAILABLE",
            )
            for c in clusters
        ]
        return filter_on(found, filters, "id")
