"""What every part of the rhevm driver shares: the engine connection, its
settings, and the lookups several resource families need."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deltaflask.drivers import BaseDriver
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.plugins.rhevm.connection import Endpoint
from deltaflask.plugins.rhevm.connection import connection
from deltaflask.plugins.rhevm.connection import engine_url
from deltaflask.plugins.rhevm.connection import forget
from deltaflask.plugins.rhevm.errors import engine_errors
from deltaflask.settings import flag


class RhevmBase(BaseDriver):
    """The base every mixin of the rhevm driver extends."""

    @property
    def endpoint(self) -> Endpoint:
        """The engine URL (the provider) and how to trust and wait for it."""
        url, _ = engine_url(self.provider)
        return Endpoint(
            url=url,
            insecure=flag(self.setting("RHEVM_INSECURE")),
            ca_file=self.setting("RHEVM_CA_FILE") or None,
            timeout=math.ceil(self.seconds("RHEVM_TIMEOUT")),
        )

    @property
    def datacenter_id(self) -> str | None:
        """The data center the provider narrows the driver to, if any."""
        return engine_url(self.provider)[1]

    @property
    def system(self) -> Any:
        """The SDK's root service for this request's login."""
        return connection(self.credentials, self.endpoint).system_service()

    @contextmanager
    def engine(self) -> Iterator[None]:
        """Run SDK calls with typed errors; a failed exchange drops the cached
        connection so the next request starts afresh."""
        try:
            with engine_errors():
                yield
        except DeltaflaskError as exc:
            if exc.status in (502, 504):
                forget(self.credentials, self.endpoint)
            raise

    def fetched(self, get: Any) -> Any:
        """``get()`` of one resource by id; ``None`` when there is none: the
        engine answers 404 for an unknown id and 400 for one that is no UUID
        (the original answered the latter with a 500, DTACLOUD-457)."""
        try:
            with self.engine():
                return get()
        except (ObjectNotFound, ValidationFailure):
            return None

    def vm_service(self, vm_id: str) -> Any:
        """The service of VM ``vm_id`` (404 if there is no such VM)."""
        service = self.system.vms_service().vm_service(vm_id)
        if self.fetched(service.get) is None:
            raise ObjectNotFound(f"Instance '{vm_id}' not found")
        return service
