"""What the views of a plain collection share: routes, listing, showing, answers.

A view module describes its collection with a :class:`Collection` and keeps
only what is its own: the JSON shape, the fields of its forms, and the
driver calls of its writes, which answer through :meth:`Collection.created`,
:meth:`Collection.changed` and :meth:`Collection.gone`.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Blueprint
from flask import Response
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from werkzeug.wrappers import Response as BaseResponse

from deltaflask.context import current_driver
from deltaflask.context import current_driver_class
from deltaflask.errors import ObjectNotFound
from deltaflask.plugins.deltacloud.params import filters
from deltaflask.plugins.deltacloud.render import empty
from deltaflask.plugins.deltacloud.render import href
from deltaflask.plugins.deltacloud.render import respond
from deltaflask.plugins.deltacloud.views.forms import Builder
from deltaflask.plugins.deltacloud.views.forms import page
from deltaflask.plugins.deltacloud.views.forms import register_form
from deltaflask.text import xml_safe

View = Callable[..., BaseResponse]


@dataclass(frozen=True)
class Collection:
    """A collection of the classic API.

    ``name`` is the URL segment, the JSON key of the list, the template folder
    and the driver's lister; ``member`` the JSON key of one member and the
    driver's getter; ``id_param`` the route variable of a member's id.
    """

    name: str
    member: str
    id_param: str
    #: the member's name in messages ("Network 'x' not found")
    label: str
    to_json: Callable[[Any], dict[str, object]]
    #: the parameters the list filters on
    filters: tuple[str, ...] = ("id",)
    #: template flag -> the driver operation whose support it tells
    capabilities: Mapping[str, str] = field(default_factory=dict)
    #: more template variables of every page (helpers such as ``actions``)
    helpers: Mapping[str, Any] = field(default_factory=dict)
    #: more template variables, computed for each request
    extra: Callable[[], Mapping[str, Any]] | None = None
    #: template variables of one member and of the list (default: member, name)
    var: str = ""
    list_var: str = ""
    #: the route converter of a member's id (``path`` for ids that may hold ``/``)
    converter: str = ""
    #: the button that deletes a member, when a browser must confirm it first
    #: on the page ``<member>?confirm=destroy`` (e.g. "Destroy instance")
    confirm_destroy: str = ""

    def endpoint(self, view: str) -> str:
        """The blueprint endpoint of ``view``: ``networks_index``."""
        return f"{self.name}_{view}"

    @property
    def member_rule(self) -> str:
        """The route of one member: ``/networks/<network_id>``."""
        converter = f"{self.converter}:" if self.converter else ""
        return f"/{self.name}/<{converter}{self.id_param}>"

    def register(
        self,
        bp: Blueprint,
        *,
        create: View | None = None,
        destroy: View | None = None,
        form: Builder | None = None,
        index: View | None = None,
    ) -> None:
        """Add the list and member routes, and the writes that are given.

        ``form`` adds the HTML page ``/<name>/new`` and checks browser posts
        to ``create`` against it; ``index`` replaces the plain list.
        """
        bp.add_url_rule(f"/{self.name}", self.endpoint("index"), index or self.index)
        bp.add_url_rule(self.member_rule, self.endpoint("show"), self.show)
        if form is not None:
            new = f"/{self.name}/new"
            bp.add_url_rule(new, self.endpoint("new"), lambda: page(form))
            register_form(self.endpoint("create"), form)
        if create is not None:
            bp.add_url_rule(
                f"/{self.name}", self.endpoint("create"), create, methods=["POST"]
            )
        if destroy is not None:
            self.action(bp, "", "destroy", destroy, method="DELETE")

    def action(
        self,
        bp: Blueprint,
        step: str,
        view_name: str,
        view: View,
        form: Builder | None = None,
        method: str = "POST",
    ) -> None:
        """Add ``<method> /<name>/<id>/<step>`` (the member itself when ``step``
        is empty); browser posts are checked against ``form`` where given."""
        rule = f"{self.member_rule}/{step}" if step else self.member_rule
        bp.add_url_rule(rule, self.endpoint(view_name), view, methods=[method])
        if form is not None:
            register_form(self.endpoint(view_name), form)

    def form_page(
        self, bp: Blueprint, step: str, view_name: str, form: Builder
    ) -> None:
        """Add the HTML page ``/<name>/<id>/<step>`` that shows a member's ``form``."""
        bp.add_url_rule(
            f"{self.member_rule}/{step}",
            self.endpoint(view_name),
            lambda **ids: page(form, **ids),
            methods=["GET"],
        )

    def html_only(self, *view_names: str) -> dict[str, tuple[str, ...]]:
        """The HTML-only pages, ``new`` and ``view_names``, for the negotiation."""
        return {f"api.{self.endpoint(v)}": ("html",) for v in ("new", *view_names)}

    @property
    def formats(self) -> dict[str, tuple[str, ...]]:
        """The HTML-only pages (the ``new`` form) for the blueprint's negotiation."""
        return self.html_only()

    def context(self) -> dict[str, Any]:
        """What every page of the collection gets: capabilities and helpers."""
        driver = current_driver_class()
        flags = {flag: driver.supports(op) for flag, op in self.capabilities.items()}
        return {**flags, **self.helpers, **(self.extra() if self.extra else {})}

    def found(self, item_id: str) -> Any:
        """The member ``item_id`` (404 when the driver has none)."""
        item = getattr(current_driver(), self.member)(item_id)
        if item is None:
            raise ObjectNotFound(f"{self.label} '{item_id}' not found")
        return item

    def index(self) -> Response:
        """List the members, filtered by :attr:`filters`."""
        items = getattr(current_driver(), self.name)(filters(self.filters))
        page = {} if g.format == "json" else self.context()  # JSON has no template
        return respond(
            f"{self.name}/index",
            lambda: {self.name: [self.to_json(item) for item in items]},
            **{self.list_var or self.name: items},
            **page,
        )

    def show(self, **ids: str) -> Response:
        """One member, or for a browser the page confirming its deletion."""
        item = self.found(ids[self.id_param])
        if (
            self.confirm_destroy
            and g.format == "html"
            and request.args.get("confirm") == "destroy"
        ):
            return self.confirm_page(item)
        return self.render(item)

    def confirm_page(self, item: Any) -> Response:
        """The page asking a person to confirm deleting ``item`` (a POST form)."""
        name = getattr(item, "name", None) or item.id
        body = render_template(
            "api/confirm.html",
            collection=self.name,
            item_id=item.id,
            title=f"{self.confirm_destroy} {name}?",
            label=self.confirm_destroy,
        )
        return Response(xml_safe(body), content_type="text/html")

    def render(
        self, item: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        """``item`` on its page, in the negotiated format."""
        return respond(
            f"{self.name}/show",
            lambda: {self.member: self.to_json(item)},
            status=status,
            headers=headers,
            **{self.var or self.member: item},
            **self.context(),
        )

    def created(self, item: Any, status: int = 201, done: str = "") -> BaseResponse:
        """A browser goes to the new member; clients get it (a 201 with
        ``Location``, or a 200 where the original answered so)."""
        location = href(self.name, item.id)
        if g.format == "html":
            notify(done or f"{self.label} {item.id} created.")
            return redirect(location, 303)
        headers = {"Location": location} if status == 201 else None
        return self.render(item, status, headers)

    def changed(self, item: Any, status: int = 200, done: str = "") -> BaseResponse:
        """A browser goes back to the member's page (told ``done``); clients
        get it (200, or 202 for a change the provider has yet to finish)."""
        if g.format == "html":
            if done:
                notify(done)
            return redirect(href(self.name, item.id), 303)
        return self.render(item, status)

    def gone(self, item_id: str, *back: str, done: str = "") -> BaseResponse:
        """A browser goes to ``back`` (the list by default) and is told
        ``item_id`` is gone (or ``done``); clients get 204."""
        if g.format == "html":
            notify(done or f"{self.label} {item_id} deleted.")
            return redirect(href(*(back or (self.name,))), 303)
        return empty()


def notify(message: str) -> None:
    """Show ``message`` on the browser's next page (kept in its session)."""
    flash(message)
