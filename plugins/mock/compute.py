"""Mock compute: realms, images, instances, keys and metrics."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import random
import secrets
import time
from collections.abc import Mapping
from typing import Any

from deltaflask.drivers import InstanceCreate
from deltaflask.drivers.base import as_list
from deltaflask.drivers.base import filter_on
from deltaflask.errors import Conflict
from deltaflask.errors import Forbidden
from deltaflask.errors import ObjectNotFound
from deltaflask.errors import ValidationFailure
from deltaflask.models import Image
from deltaflask.models import Instance
from deltaflask.models import InstanceAddress
from deltaflask.models import InstanceProfile
from deltaflask.models import InstanceState
from deltaflask.models import Key
from deltaflask.models import Metric
from deltaflask.models import MetricSample
from deltaflask.models import Realm
from deltaflask.models import RunResult
from deltaflask.plugins.mock.base import MockBase
from deltaflask.plugins.mock.load_balancers import release_from_balancers
from deltaflask.plugins.mock.network import place_instances
from deltaflask.plugins.mock.network import to_bindings
from deltaflask.plugins.mock.profiles import ERROR_TRIGGERS
from deltaflask.plugins.mock.profiles import METRIC_PROPERTIES
from deltaflask.plugins.mock.profiles import REALM_IDS
from deltaflask.plugins.mock.profiles import REALMS
from deltaflask.plugins.mock.store import check_id

MAX_INSTANCE_COUNT = 20
PEM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class MockCompute(MockBase):
    """Compute operations of the mock driver (mixed into ``MockDriver``)."""

    # realms --------------------------------------------------------------------
    def realms(self, filters: Mapping[str, Any]) -> list[Realm]:
        """The two fixed realms; ids 500/501/502/504 fail on purpose."""
        self.user()
        for wanted in as_list(filters.get("id") or []):
            if wanted in ERROR_TRIGGERS:
                raise ERROR_TRIGGERS[wanted]
        return filter_on(REALMS, filters, "id")

    # images --------------------------------------------------------------------
    def images(self, filters: Mapping[str, Any]) -> list[Image]:
        """Images filtered by id, architecture and owner (``self`` = the user)."""
        user = self.user()
        filters = dict(filters)
        if filters.get("owner_id") == "self":
            filters["owner_id"] = user
        images = [self._to_image(data) for data in self.store.all("images")]
        images = filter_on(images, filters, "id", "architecture", "owner_id")
        return sorted(images, key=lambda i: (i.owner_id or "", i.description or ""))

    def create_image(
        self, instance_id: str, name: str | None, description: str | None
    ) -> Image:
        """Record an image of an instance that allows it."""
        user = self.user()
        with self.store.transaction():
            instance = self.store.load("instances", instance_id)
            if instance is None or instance.get("owner_id") != user:
                raise ObjectNotFound(f"Instance '{instance_id}' not found")
            if not instance.get("create_image"):
                raise Conflict(f"Instance '{instance_id}' cannot be imaged")
            image_id = check_id(name or f"{instance_id}-image-{_suffix()}", "name")
            if self.store.exists("images", image_id):
                raise Conflict(f"Image '{image_id}' already exists")
            source = self.store.load("images", instance.get("image_id") or "") or {}
            self.store.save(
                "images",
                {
                    "id": image_id,
                    "name": image_id,
                    "description": description or "",
                    "owner_id": user,
                    "architecture": source.get("architecture", "i386"),
                    "state": "AVAILABLE",
                    "creation_time": time.strftime("%a %b %d %H:%M:%S UTC %Y"),
                },
            )
        return self._to_image(self.store.load("images", image_id) or {})

    def destroy_image(self, image_id: str) -> None:
        """Delete an image the user owns; another owner's image is a 403 (as
        EC2 refuses to deregister an image you do not own)."""
        user = self.user()
        with self.store.transaction():
            image = self.store.require("images", check_id(image_id), "Image")
            if image.get("owner_id") != user:
                raise Forbidden(f"Image '{image_id}' is not owned by {user}")
            self.store.delete("images", image_id)

    def may_destroy_image(self, image: Image) -> bool:
        """Only the owner of an image may delete it."""
        return image.owner_id == self.user()

    def _to_image(self, data: dict[str, Any]) -> Image:
        return Image(
            id=data["id"],
            name=data.get("name") or data["id"],
            owner_id=data.get("owner_id"),
            description=data.get("description"),
            architecture=data.get("architecture"),
            state=data.get("state"),
            creation_time=data.get("creation_time"),
            hardware_profile_ids=[p.id for p in self.static_hardware_profiles],
        )

    # instances -----------------------------------------------------------------
    def instances(self, filters: Mapping[str, Any]) -> list[Instance]:
        """The user's instances, filtered by id, state and realm."""
        user = self.user()
        found = [
            instance
            for instance in self.store.listed_as(
                "instances", filters.get("id"), self._to_instance
            )
            if instance.owner_id == user
        ]
        return filter_on(found, filters, "state", "realm_id")

    def create_instance(self, request: InstanceCreate) -> list[Instance]:
        """Launch instances; they are RUNNING (or STOPPED) at once."""
        user = self.user()
        profile = self._checked_profile(request)
        realm_id = request.realm_id or REALMS[0].id
        if realm_id not in REALM_IDS:
            raise ValidationFailure(f"Realm '{realm_id}' does not exist.")
        if self.store.load("images", request.image_id) is None:
            raise ValidationFailure(f"Image '{request.image_id}' does not exist.")
        if request.keyname and self.store.load("keys", request.keyname) is None:
            raise ValidationFailure(f"Key '{request.keyname}' does not exist.")
        count = request.instance_count
        if not 1 <= count <= MAX_INSTANCE_COUNT:
            raise ValidationFailure(
                f"instance_count must be between 1 and {MAX_INSTANCE_COUNT}"
            )
        user_data = _decode_user_data(request.user_data)
        stopped = request.initial_state is InstanceState.STOPPED
        state = InstanceState.STOPPED if stopped else InstanceState.RUNNING
        created = []
        with self.store.transaction():
            bindings = iter(place_instances(self.store, request, count))
            for _ in range(count):
                instance_id = self.store.new_id("instances", "inst")
                entity = {
                    "id": instance_id,
                    "name": request.name or f"i-{int(time.time())}-{_suffix()}",
                    "state": state.value,
                    "owner_id": user,
                    "image_id": request.image_id,
                    "realm_id": realm_id,
                    "instance_profile": {"id": profile, **request.hwp_overrides},
                    "keyname": request.keyname,
                    "launch_time": time.strftime(
                        "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()
                    ),
                    "public_addresses": [
                        _host(f"{request.image_id}.{instance_id}.public.com")
                    ],
                    "private_addresses": [
                        _host(f"{request.image_id}.{instance_id}.private.com")
                    ],
                    "create_image": True,
                    "user_data": user_data,
                    "storage_volumes": [],
                    "network_bindings": next(bindings),
                }
                self.store.save("instances", entity)
                created.append(self._to_instance(entity))
        return created

    def _checked_profile(self, request: InstanceCreate) -> str:
        profile_id = request.hwp_id or "m1-small"
        profile = self.hardware_profile(profile_id)
        if profile is None:
            raise ValidationFailure(f"Hardware profile '{profile_id}' does not exists.")
        for name, value in request.hwp_overrides.items():
            prop = profile.property(name)
            if prop is None:
                raise ValidationFailure(
                    f"Hardware profile '{profile_id}' has no property '{name}'"
                )
            if not prop.accepts(value):
                raise ValidationFailure(
                    f"hwp_{name}={value} is outside hardware profile '{profile_id}'"
                )
        return profile_id

    def start_instance(self, instance_id: str) -> Instance:
        """Start: the instance is RUNNING."""
        return self._set_state(instance_id, InstanceState.RUNNING)

    def reboot_instance(self, instance_id: str) -> Instance:
        """Reboot: the instance is RUNNING."""
        return self._set_state(instance_id, InstanceState.RUNNING)

    def stop_instance(self, instance_id: str) -> Instance:
        """Stop: the instance is STOPPED."""
        return self._set_state(instance_id, InstanceState.STOPPED)

    def _set_state(self, instance_id: str, state: InstanceState) -> Instance:
        with self.store.transaction():
            data = self._owned_instance(instance_id)
            data["state"] = state.value
            self.store.save("instances", data)
        return self._to_instance(data)

    def destroy_instance(self, instance_id: str) -> None:
        """Delete an instance and release what pointed at it."""
        with self.store.transaction():
            self._owned_instance(instance_id)
            self.release_instance(instance_id)
            self.store.delete("instances", instance_id)

    def release_instance(self, instance_id: str) -> None:
        """Detach volumes, addresses and interfaces bound to a dying instance."""
        for volume in self.store.all("storage_volumes"):
            if volume.get("instance_id") == instance_id:
                volume.update(instance_id=None, device=None, state="AVAILABLE")
                self.store.save("storage_volumes", volume)
        for address in self.store.all("addresses"):
            if address.get("instance_id") == instance_id:
                address["instance_id"] = None
                self.store.save("addresses", address)
        for nic in self.store.all("network_interfaces"):
            if nic.get("instance") == instance_id:
                self.store.delete("network_interfaces", nic["id"])
        release_from_balancers(self.store, instance_id)

    def _owned_instance(self, instance_id: str) -> dict[str, Any]:
        user = self.user()
        data = self.store.load("instances", instance_id)
        if data is None or data.get("owner_id") != user:
            raise ObjectNotFound(f"Instance '{instance_id}' not found")
        return data

    def run_on_instance(
        self,
        instance_id: str,
        command: str,
        *,
        private_key: str | None = None,
        password: str | None = None,
        ip: str | None = None,
        port: int = 22,
    ) -> RunResult:
        """Pretend to run ``command``; the mock answers with canned output."""
        instance = self._to_instance(self._owned_instance(instance_id))
        address = ip or next((a.address for a in instance.public_addresses), None)
        return RunResult(
            instance_id=instance_id,
            command=command,
            output=(
                f"This is where the output from '{command}' would appear if this "
                "were not a mock provider"
            ),
            public_address=address,
        )

    @staticmethod
    def _to_instance(data: dict[str, Any]) -> Instance:
        """The model of a stored instance (a function of ``data`` alone: the
        store may keep it per file, see ``MockStore.listed_as``)."""
        profile = dict(data.get("instance_profile") or {"id": "m1-small"})
        profile_id = profile.pop("id")
        volumes = []
        for entry in data.get("storage_volumes") or []:
            if isinstance(entry, dict):
                volumes.extend((str(k), v) for k, v in entry.items())
        return Instance(
            id=data["id"],
            name=data.get("name"),
            state=InstanceState.parse(data.get("state") or "PENDING"),
            owner_id=data.get("owner_id"),
            image_id=data.get("image_id"),
            realm_id=data.get("realm_id"),
            profile=InstanceProfile(
                profile_id, {k: str(v) for k, v in profile.items()}
            ),
            launch_time=data.get("launch_time"),
            public_addresses=[_address(a) for a in data.get("public_addresses", [])],
            private_addresses=[_address(a) for a in data.get("private_addresses", [])],
            keyname=data.get("keyname"),
            create_image=bool(data.get("create_image")),
            storage_volumes=volumes,
            network_interfaces=data.get("network_interfaces"),
            network_bindings=to_bindings(data),
            user_data=data.get("user_data"),
        )

    # keys ----------------------------------------------------------------------
    def keys(self, filters: Mapping[str, Any]) -> list[Key]:
        """Key pairs, filtered by id."""
        self.user()
        keys = [_to_key(data) for data in self.store.all("keys")]
        return filter_on(keys, filters, "id")

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Generate a (fake) key pair named ``name``."""
        self.user()
        check_id(name, "key name")
        with self.store.transaction():
            if self.store.exists("keys", name):
                raise Forbidden("Key with same name already exists")
            entity = {
                "id": name,
                "credential_type": "key",
                "fingerprint": ":".join(f"{b:02x}" for b in os.urandom(20)),
                "pem_rsa_key": _fake_pem(),
            }
            self.store.save("keys", entity)
        return _to_key(entity)

    def destroy_key(self, key_id: str) -> None:
        """Delete a key."""
        self.user()
        if not self.store.delete("keys", check_id(key_id)):
            raise ObjectNotFound(f"Key '{key_id}' not found")

    # metrics -------------------------------------------------------------------
    def metrics(self, filters: Mapping[str, Any]) -> list[Metric]:
        """One metric per instance the user owns, without samples."""
        return [
            Metric(i.id, i.name or "", dict.fromkeys(METRIC_PROPERTIES))
            for i in self.instances(filters)
        ]

    def metric(self, metric_id: str) -> Metric | None:
        """The metric of one instance with six random samples per property."""
        instance = self.instance(metric_id)
        if instance is None:
            return None
        now = int(time.time())
        properties = {
            name: [_sample(name, now - age) for age in range(6)]
            for name in METRIC_PROPERTIES
        }
        return Metric(instance.id, instance.name or "", properties)


def _suffix() -> str:
    return secrets.token_hex(3)


def _host(address: str) -> dict[str, str]:
    return {"address": address, "type": "hostname"}


def _address(data: dict[str, Any]) -> InstanceAddress:
    return InstanceAddress(data["address"], data.get("type", "ipv4"), data.get("port"))


def _decode_user_data(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailure("user_data must be base64 encoded") from exc


def _to_key(data: dict[str, Any]) -> Key:
    return Key(
        id=data["id"],
        name=data.get("name") or data["id"],
        credential_type=data.get("credential_type", "key"),
        fingerprint=data.get("fingerprint"),
        pem_rsa_key=data.get("pem_rsa_key"),
        username=data.get("username"),
        password=data.get("password"),
        state=data.get("state"),
    )


def _fake_pem() -> str:
    body = "".join(secrets.choice(PEM_ALPHABET) for _ in range(1100))
    lines = [body[i : i + 75] for i in range(0, len(body), 75)]
    digest = hashlib.sha1(body.encode()).hexdigest()[:8]
    return (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(lines)
        + digest
        + "-----END RSA PRIVATE KEY-----"
    )


def _sample(name: str, timestamp: int) -> MetricSample:
    low, high = random.randint(1, 49), random.randint(50, 99)
    average = (low + high) // 2
    if name == "cpuUtilization":
        return MetricSample(
            low / 100, high / 100, (low + high) / 200, timestamp, "Percent"
        )
    unit = "Bytes" if "Byte" in name else "Count"
    return MetricSample(low, high, average, timestamp, unit)
