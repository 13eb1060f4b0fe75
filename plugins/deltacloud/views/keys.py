"""``/api/keys``: SSH key pairs and password credentials."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import g
from flask import redirect
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.models import Key
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.params import require
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.forms import Field
from deltaflask.plugins.deltacloud.views.forms import Form
from deltaflask.plugins.deltacloud.views.forms import page
from deltaflask.plugins.deltacloud.views.forms import register_form

FORMATS = {"api.keys_new": ("html",)}


def register(bp: Blueprint) -> None:
    """Add the key routes."""
    bp.add_url_rule("/keys", "keys_index", index, methods=["GET"])
    bp.add_url_rule("/keys/new", "keys_new", new, methods=["GET"])
    bp.add_url_rule("/keys/<key_id>", "keys_show", show, methods=["GET"])
    bp.add_url_rule("/keys", "keys_create", create, methods=["POST"])
    bp.add_url_rule("/keys/<key_id>", "keys_destroy", destroy, methods=["DELETE"])
    register_form("keys_create", form)


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


def can_destroy() -> bool:
    """Whether the driver can delete keys (shows the destroy link)."""
    return current_driver_class().supports("destroy_key")


def index() -> Response:
    """List keys."""
    keys = current_driver().keys(filters(("id",)))
    return respond(
        "keys/index",
        lambda: {"keys": [to_json(k) for k in keys]},
        keys=keys,
        can_destroy=can_destroy(),
    )


def show(key_id: str) -> Response:
    """One key."""
    key = current_driver().key(key_id)
    if key is None:
        raise ObjectNotFound(f"Key '{key_id}' not found")
    return respond(
        "keys/show", lambda: {"key": to_json(key)}, key=key, can_destroy=can_destroy()
    )


def form(values: dict[str, str]) -> Form:
    """The form to create a key (or import one where the driver can)."""
    fields = [Field("name", "Name", required=True, placeholder="my-key")]
    if current_driver_class().has_feature("keys", "import_key"):
        fields.append(
            Field("public_key", "Public key to import (optional)", "textarea")
        )
    return Form(
        title="Create new key",
        action=href("keys"),
        fields=fields,
        submit="Create key",
        crumbs=[("keys", href("keys")), ("new", None)],
    )


def new() -> Response:
    """The HTML form to create or import a key."""
    return page(form)


def create() -> BaseResponse:
    """Create a key (201 with ``Location``; the PEM is shown this once)."""
    params = request_params()
    require(params, "name")
    public_key = None
    if current_driver_class().has_feature("keys", "import_key"):
        public_key = params.get("public_key") or None
    key = current_driver().create_key(params["name"], public_key)
    location = href("keys", key.id)
    if g.format == "html":
        return redirect(location, 303)
    return respond(
        "keys/show",
        lambda: {"key": to_json(key)},
        status=201,
        headers={"Location": location},
        key=key,
        can_destroy=can_destroy(),
    )


def destroy(key_id: str) -> BaseResponse:
    """Delete a key (204)."""
    current_driver().destroy_key(key_id)
    if g.format == "html":
        return redirect(href("keys"), 303)
    return empty()
