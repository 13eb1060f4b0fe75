"""Compute objects: instances and their actions, images, realms, hardware
profiles, keys, metrics, drivers and the instance state machine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deltaflask.client.resource import Collection
from deltaflask.client.resource import Resource
from deltaflask.client.resource import link_id


class Instance(Resource):
    """A server; ``start``/``stop``/``reboot``/``destroy`` as its state allows."""

    collection = "instances"
    member = "instance"
    columns = ("id", "name", "state", "image", "realm", "public_addresses")
    destroy_rel = "destroy"

    @property
    def image_id(self) -> str | None:
        """The image it was launched from."""
        return link_id(self.data.get("image"))

    @property
    def realm_id(self) -> str | None:
        """The realm it runs in."""
        return link_id(self.data.get("realm"))

    @property
    def hardware_profile_id(self) -> str | None:
        """Its hardware profile."""
        return link_id(self.data.get("hardware_profile"))

    @property
    def public_addresses(self) -> list[str]:
        """Its public addresses."""
        return [a["address"] for a in self.data.get("public_addresses") or []]

    @property
    def private_addresses(self) -> list[str]:
        """Its private addresses."""
        return [a["address"] for a in self.data.get("private_addresses") or []]

    def start(self) -> Instance:
        """Start a stopped instance."""
        return self.perform("start")

    def stop(self) -> Instance:
        """Stop a running instance."""
        return self.perform("stop")

    def reboot(self) -> Instance:
        """Reboot a running instance."""
        return self.perform("reboot")

    def run(self, cmd: str, **params: str) -> dict[str, Any]:
        """Run ``cmd`` over SSH (``private_key``, ``password``, ``ip``, ``port``):
        the answer's ``output`` and ``public_address``."""
        url, method = self.link("run")
        document = self.client.session.json(method, url, data={"cmd": cmd, **params})
        return dict(document["instance"])

    def create_image(self, name: str | None = None, **params: str) -> Image:
        """Image this instance (where the driver and the instance allow)."""
        self.link("create_image")  # refused first where the instance cannot be imaged
        fields = {"instance_id": self.id, **params}
        if name:
            fields["name"] = name
        return self.client.images.create(**fields)


class Instances(Collection[Instance]):
    """``/instances``; :meth:`create_many` for ``instance_count`` > 1."""

    def create_many(self, count: int, **params: str) -> list[Instance]:
        """Launch ``count`` instances at once."""
        document = self.client.session.json(
            "POST", self.href, data={**params, "instance_count": str(count)}
        )
        if isinstance(document, dict) and "instance" in document:
            return [self.wrap(document["instance"])]
        return [self.wrap(item) for item in self.items_of(document)]


class Image(Resource):
    """A machine image; ``launch`` starts an instance of it."""

    collection = "images"
    member = "image"
    columns = ("id", "name", "state", "owner", "architecture", "description")
    destroy_rel = "destroy_image"

    def launch(self, **params: str) -> Instance:
        """A new instance of this image (``realm_id``, ``hwp_id``, ``name`` ...)."""
        return self.client.instances.create(image_id=self.id, **params)


class Realm(Resource):
    """A region or availability zone."""

    collection = "realms"
    member = "realm"
    columns = ("id", "name", "state", "limit")


class HardwareProfile(Resource):
    """A size of instance: its properties (cpu, memory, storage, architecture)."""

    collection = "hardware_profiles"
    member = "hardware_profile"
    columns = ("id", "name", "properties")


class Key(Resource):
    """A key pair or password credential."""

    collection = "keys"
    member = "key"
    columns = ("id", "credential_type", "fingerprint", "username", "state")


class Metric(Resource):
    """The monitoring values of one instance."""

    collection = "metrics"
    member = "metric"
    columns = ("id", "entity")


class Driver(Resource):
    """A driver the server knows, with its providers."""

    collection = "drivers"
    member = "driver"
    columns = ("id", "name")


class Drivers(Collection[Driver]):
    """``/drivers``, which lists its members as ``{id: {...}}``."""

    def items_of(self, document: Any) -> list[dict[str, Any]]:
        """Each ``id: {name, ...}`` entry as a document with its id."""
        if isinstance(document, dict) and isinstance(document.get("drivers"), list):
            return list(document["drivers"])
        return [
            {"id": driver_id, **info}
            for driver_id, info in sorted((document or {}).items())
            if isinstance(info, dict)
        ]


@dataclass(frozen=True)
class InstanceState:
    """One state of the driver's instance state machine and its transitions
    (``{"to": "stopped", "action": "stop"}`` or ``{"to": ..., "auto": "true"}``)."""

    name: str
    transitions: tuple[dict[str, str], ...]

    @property
    def data(self) -> dict[str, Any]:
        """The state as the server sent it."""
        return {"name": self.name, "transitions": list(self.transitions)}
