"""``/api/keys``: SSH key pairs and password credentials."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.models import Key
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.views.collection import Collection
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import new_form


def to_json(key: Key) -> dict[str, object]:
    """A key as the classic JSON shows it."""
    data: dict[str, object] = {
        "id": key.id,
        "href": href("keys", key.id),
        "credential_type": key.credential_type,
        "username": key.username,
        "password": key.password,
        "state": key.state,
    }
    if key.pem_rsa_key:
        data["pem_rsa_key"] = key.pem_rsa_key
    if key.fingerprint:
        data["fingerprint"] = key.fingerprint
    return data


KEYS = Collection(
    "keys",
    "key",
    "key_id",
    "Key",
    to_json,
    capabilities={"can_destroy": "destroy_key"},
    converter="path",  # EC2 key names may hold a slash
)
FORMATS = KEYS.formats


def register(bp: Blueprint) -> None:
    """Add the key routes."""
    KEYS.register(bp, create=create, destroy=destroy, form=form)


def form(values: dict[str, str]) -> Form:
    """The form to create a key (or import one where the driver can)."""
    fields = [Field("name", "Name", required=True, placeholder="my-key")]
    if current_driver_class().has_feature("keys", "import_key"):
        fields.append(
            Field("public_key", "Public key to import (optional)", "textarea")
        )
    return new_form("keys", "Create new key", fields, "Create key")


def create() -> BaseResponse:
    """Create a key (201 with ``Location``; the PEM is shown this once)."""
    params = request_params()
    require(params, "name")
    public_key = None
    if current_driver_class().has_feature("keys", "import_key"):
        public_key = params.get("public_key") or None
    key = current_driver().create_key(params["name"], public_key)
    if g.format == "html" and key.pem_rsa_key:
        # a provider may never show the private key again: no redirect away from it
        return KEYS.render(key, 201, {"Location": href("keys", key.id)})
    return KEYS.created(key)


def destroy(key_id: str) -> BaseResponse:
    """Delete a key (204)."""
    current_driver().destroy_key(key_id)
    return KEYS.gone(key_id)
