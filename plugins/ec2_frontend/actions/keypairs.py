"""Key pairs: Describe, Create, Import and DeleteKeyPair."""

from __future__ import annotations

import base64

from deltaflask.drivers import BaseDriver
from deltaflask.models import Key
from deltaflask.plugins.ec2_frontend.actions.common import Item
from deltaflask.plugins.ec2_frontend.actions.common import apply_filters
from deltaflask.plugins.ec2_frontend.actions.common import chosen
from deltaflask.plugins.ec2_frontend.actions.common import path
from deltaflask.plugins.ec2_frontend.dispatch import action
from deltaflask.plugins.ec2_frontend.errors import EC2Error
from deltaflask.plugins.ec2_frontend.errors import invalid_value
from deltaflask.plugins.ec2_frontend.errors import missing_parameter
from deltaflask.plugins.ec2_frontend.params import Params
from deltaflask.plugins.ec2_frontend.params import check_ids
from deltaflask.plugins.ec2_frontend.params import get_list
from deltaflask.plugins.ec2_frontend.params import get_str
from deltaflask.plugins.ec2_frontend.params import require
from deltaflask.plugins.ec2_frontend.params import require_id
from deltaflask.text import refused_text

NOT_FOUND = "InvalidKeyPair.NotFound"
FILTERS = {
    "key-name": path("keyName"),
    "key-pair-id": path("keyPairId"),
    "fingerprint": path("keyFingerprint"),
}


def _item(key: Key) -> Item:
    return {
        "keyPairId": key.id,
        "keyName": key.name or key.id,
        "keyFingerprint": key.fingerprint or "",
        "keyType": "rsa",
    }


def _name(params: Params) -> str:
    return require_id(params, "KeyName", "InvalidKeyPair.Format", "key pair")


@action("DescribeKeyPairs", not_found=NOT_FOUND)
def describe_key_pairs(driver: BaseDriver, params: Params) -> Item:
    """Key pairs by ``KeyName.N``, ``KeyPairId.N`` and filters."""
    wanted = get_list(params, "KeyName") + get_list(params, "KeyPairId")
    keys = [key for key in driver.keys({}) if key.credential_type == "key"]
    items = [_item(key) for key in chosen(keys, wanted, NOT_FOUND, "key pair")]
    return {"keySet": apply_filters(items, params, FILTERS)}


def _refuse_duplicate(driver: BaseDriver, name: str) -> None:
    if driver.key(name) is not None:
        raise EC2Error(
            "InvalidKeyPair.Duplicate", f"The keypair '{name}' already exists."
        )


@action("CreateKeyPair", not_found=NOT_FOUND)
def create_key_pair(driver: BaseDriver, params: Params) -> Item:
    """Create a key pair and return its private key once."""
    name = _name(params)
    _refuse_duplicate(driver, name)
    key = driver.create_key(name)
    return {**_item(key), "keyMaterial": key.pem_rsa_key or ""}


@action("ImportKeyPair", not_found=NOT_FOUND)
def import_key_pair(driver: BaseDriver, params: Params) -> Item:
    """Import a public key (drivers with the ``import_key`` feature)."""
    name = _name(params)
    raw = require(params, "PublicKeyMaterial")
    try:
        public_key = base64.b64decode(raw, validate=True).decode("utf-8")
    except ValueError:  # not ASCII, not base64 (binascii.Error) or not UTF-8
        public_key = ""
    if not public_key.strip() or refused_text(public_key):
        raise invalid_value("PublicKeyMaterial", "(key)", "base64 text expected")
    if not driver.has_feature("keys", "import_key"):
        raise EC2Error(
            "UnsupportedOperation",
            "The operation is not supported: the current driver cannot import keys",
        )
    _refuse_duplicate(driver, name)
    return _item(driver.create_key(name, public_key))


@action("DeleteKeyPair", not_found=NOT_FOUND)
def delete_key_pair(driver: BaseDriver, params: Params) -> Item:
    """Delete a key pair (deleting an absent one succeeds, as on EC2)."""
    name = get_str(params, "KeyName") or get_str(params, "KeyPairId")
    if name is None:
        raise missing_parameter("KeyName")
    check_ids([name], "InvalidKeyPair.Format", "key pair")
    if driver.key(name) is not None:
        driver.destroy_key(name)
    return {"return": True}
