"""Keys: EC2 key pairs, created (with their PEM) or imported, and deleted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltaflask.errors import ValidationFailure
from deltaflask.models import Key
from deltaflask.plugins.ec2.base import Ec2Base
from deltaflask.plugins.ec2.calls import by_ids
from deltaflask.plugins.ec2.calls import lookup
from deltaflask.plugins.ec2.calls import only
from deltaflask.plugins.ec2.errors import aws_errors

#: how the public key formats EC2 imports begin
KEY_PREFIXES = ("ssh-", "ecdsa-", "-----BEGIN ")


class Ec2Keys(Ec2Base):
    """Key operations of the ec2 driver (mixed into ``Ec2Driver``)."""

    def keys(self, filters: Mapping[str, Any]) -> list[Key]:
        """Key pairs, filtered by ``id`` (the key name)."""
        pairs = lookup(
            self.ec2.describe_key_pairs, "KeyPairs", **by_ids("KeyNames", filters)
        )
        return [to_key(pair) for pair in pairs]

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair (its private key is shown once) or import one."""
        if not name or not name.strip():
            raise ValidationFailure("A key needs a name")
        if public_key and not public_key.strip().startswith(KEY_PREFIXES):
            raise ValidationFailure(
                "public_key must be an OpenSSH public key (ssh-rsa, ssh-ed25519, "
                "ecdsa-...) or a PEM block"
            )
        with aws_errors():
            if public_key:
                made = self.ec2.import_key_pair(
                    KeyName=name, PublicKeyMaterial=public_key.encode()
                )
            else:
                made = self.ec2.create_key_pair(KeyName=name)
        return to_key(made)

    def destroy_key(self, key_id: str) -> None:
        """Delete a key pair (404 when there is none: AWS itself would not say)."""
        only(self.keys({"id": key_id}), f"Key '{key_id}'")
        with aws_errors():
            self.ec2.delete_key_pair(KeyName=key_id)


def to_key(data: Mapping[str, Any]) -> Key:
    """A key from a key pair description (with ``KeyMaterial`` when just made)."""
    return Key(
        id=data["KeyName"],
        name=data["KeyName"],
        credential_type="key",
        fingerprint=data.get("KeyFingerprint"),
        pem_rsa_key=data.get("KeyMaterial"),
        state="AVAILABLE",
    )
