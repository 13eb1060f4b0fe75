"""What the entry point ``/api`` says the driver offers: its collections and
the features of each, so the client refuses what is missing before asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deltaflask.client.errors import CapabilityMissing


@dataclass(frozen=True)
class EntryPoint:
    """The API version, the driver and provider in use, and per collection its
    URL and declared feature names."""

    version: str
    driver: str
    provider: str
    hrefs: dict[str, str]
    features: dict[str, frozenset[str]]

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> EntryPoint:
        """Read ``{"api": {"version", "driver", "provider", "links": [...]}}``."""
        api = document["api"]
        hrefs: dict[str, str] = {}
        features: dict[str, frozenset[str]] = {}
        for link in api.get("links", []):
            hrefs[link["rel"]] = link["href"]
            names = {
                feature["name"]
                for group in link.get("features", [])
                for feature in (group if isinstance(group, list) else [group])
            }
            features[link["rel"]] = frozenset(names)
        return cls(
            version=str(api.get("version", "")),
            driver=str(api.get("driver", "")),
            provider=str(api.get("provider", "")),
            hrefs=hrefs,
            features=features,
        )

    @property
    def collections(self) -> list[str]:
        """The collections the driver offers, sorted."""
        return sorted(self.hrefs)

    def href(self, collection: str) -> str:
        """The collection's URL; :class:`CapabilityMissing` when the driver lacks it."""
        if collection not in self.hrefs:
            raise CapabilityMissing(
                f"The {self.driver} driver offers no {collection} "
                f"(it offers: {', '.join(self.collections)})"
            )
        return self.hrefs[collection]

    def has_feature(self, collection: str, feature: str) -> bool:
        """Whether the driver declares ``feature`` on ``collection``."""
        return feature in self.features.get(collection, frozenset())

    def require_feature(self, collection: str, feature: str) -> None:
        """Raise :class:`CapabilityMissing` unless ``feature`` is declared."""
        self.href(collection)
        if not self.has_feature(collection, feature):
            raise CapabilityMissing(
                f"The {self.driver} driver has no '{feature}' feature on {collection}"
            )
