"""Keys are Nova key pairs: created (the private key is shown once) or imported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.errors import ValidationFailure
from deltaflask.models import Key
from deltaflask.plugins.openstack.base import OpenStackBase
from deltaflask.plugins.openstack.calls import by_id
from deltaflask.plugins.openstack.calls import one
from deltaflask.plugins.openstack.errors import openstack_errors


class OpenStackKeys(OpenStackBase):
    """Key operations of the openstack driver."""

    def keys(self, filters: Mapping[str, Any]) -> list[Key]:
        """Key pairs, filtered by ``id`` (the key name)."""
        compute = self.connection().compute
        if filters.get("id"):
            return [to_key(k) for k in by_id(compute.get_keypair, filters["id"])]
        with openstack_errors():
            return [to_key(k) for k in compute.keypairs()]

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair, or import ``public_key``."""
        if not name or not name.strip():
            raise ValidationFailure("A key needs a name")
        arguments = {"name": name}
        if public_key:
            arguments["public_key"] = public_key.strip()
        with openstack_errors():
            return to_key(self.connection().compute.create_keypair(**arguments))

    def destroy_key(self, key_id: str) -> None:
        """Delete a key pair."""
        compute = self.connection().compute
        one(compute.get_keypair, key_id, "Key")
        with openstack_errors():
            compute.delete_keypair(key_id, ignore_missing=False)


def to_key(pair: Any) -> Key:
    """A key from a Nova key pair (with its private key when just made)."""
    return Key(
        id=pair.name,
        name=pair.name,
        credential_type="key",
        fingerprint=pair.fingerprint,
        pem_rsa_key=pair.private_key or None,
        state="AVAILABLE",
    )
