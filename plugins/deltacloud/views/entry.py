"""The entry point ``/api``: collections, features, driver switching."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from flask import Blueprint
from flask import Response
from flask import redirect
from flask import request
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_credentials
from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.context import current_driver_name
from deltaflask.context import current_provider
from deltaflask.drivers import BaseDriver
from deltaflask.drivers.features import Feature
from deltaflask.errors import AuthenticationFailure
from deltaflask.errors import AuthenticationRequired
from deltaflask.header_values import check_choice
from deltaflask.header_values import is_choice
from deltaflask.plugins.deltacloud.params import request_params
from deltaflask.plugins.deltacloud.render import api_url
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import href_from
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.drivers import use_form

API_VERSION = "1.1.3"


def register(bp: Blueprint) -> None:
    """Add the entry point routes."""
    for path in ("", "/"):
        bp.add_url_rule(
            path,
            f"entry_point{path.replace('/', '_slash')}",
            entry_point,
            methods=["GET"],
            provide_automatic_options=False,
        )
    bp.add_url_rule(
        "",
        "switch_driver",
        switch_driver,
        methods=["POST"],
        provide_automatic_options=False,
    )
    bp.add_url_rule("", "entry_options", entry_options, methods=["OPTIONS"])


def collection_links() -> list[dict[str, object]]:
    """The driver's collections with the features it declares on each."""
    base = api_url()
    return [
        {
            "rel": name,
            "href": href_from(base, name),
            "features": [
                {
                    "name": feature.name,
                    "label": feature.description,
                    "rel": feature.operation,
                    "params": list(feature.params),
                    "constraints": {},  # the original's drivers declared none either
                }
                for feature in features
            ],
        }
        for name, features in declared_collections(current_driver_class())
    ]


@lru_cache(maxsize=32)
def declared_collections(
    driver_class: type[BaseDriver],
) -> tuple[tuple[str, tuple[Feature, ...]], ...]:
    """A driver's collections (``drivers`` too), sorted, with the features it
    declares on each: class data, looked up once per driver class."""
    return tuple(
        (name, tuple(driver_class.declared_features(name)))
        for name in sorted({*driver_class.collections(), "drivers"})
    )


def entry_point() -> Response:
    """``GET /api``: no auth needed unless ``force_auth`` is given."""
    if "force_auth" in request.args:
        if current_credentials() is None:
            raise AuthenticationRequired()
        if not current_driver().valid_credentials():
            raise AuthenticationFailure("Authentication failed")
    links = collection_links()
    context = {
        "version": API_VERSION,
        "driver": current_driver_name(),
        "provider": current_provider(),
        "links": links,
        "picker": lambda: use_form({}, current_driver_name()),
    }

    def to_json() -> dict[str, object]:
        return {
            "api": {
                "version": API_VERSION,
                "driver": context["driver"],
                "provider": context["provider"] or "default",
                "links": [
                    {
                        "rel": link["rel"],
                        "href": link["href"],
                        "features": [
                            [
                                {
                                    "name": f["name"],
                                    "rel": f["rel"],
                                    "params": [
                                        f"{p}:string:optional" for p in f["params"]
                                    ],
                                    "constraints": f["constraints"],
                                }
                            ]
                            for f in link["features"]  # type: ignore[attr-defined]
                        ],
                    }
                    for link in links
                ],
            }
        }

    return respond("entry", to_json, **context)


def switch_driver() -> BaseResponse:
    """``POST /api`` (the original's driver switch): redirect with matrix parameters."""
    params = request_params()
    driver, provider = params.get("driver"), params.get("provider")
    target = href().rstrip("/")
    if driver:
        return redirect(f"{target};driver={_quoted('driver', driver)}", 301)
    if provider and provider != "default":
        referer = request.headers.get("Referer", "")
        chosen = _matrix_value(referer, "driver")
        if chosen and is_choice("driver", chosen):  # else the default driver
            target += f";driver={chosen}"
        return redirect(f"{target};provider={_quoted('provider', provider)}", 301)
    return redirect(f"{target}/", 301)


def _quoted(kind: str, value: str) -> str:
    """A driver or provider name for a matrix parameter (400 if not valid)."""
    return quote(check_choice(kind, value), safe="")


def _matrix_value(url: str, key: str) -> str | None:
    for part in url.split(";")[1:]:
        name, _, value = part.partition("=")
        if name == key:
            return value.split("/")[0].split("?")[0]
    return None


def entry_options() -> Response:
    """``OPTIONS /api``: ``Allow`` lists the collections (the original listed
    Ruby class names)."""
    names = sorted({*current_driver_class().collections(), "drivers"})
    return empty(200, {"Allow": ",".join(names)})
