"""Shared test helpers taken from test_html_crawl.py."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from urllib.parse import urljoin
from urllib.parse import urlsplit

#: a name no page may show unescaped
HOSTILE = '<i id="pwn">x</i>"\'&'


VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)


#: elements whose end tag HTML lets a page leave out
OPTIONAL_END = frozenset(
    [
        "html",
        "head",
        "body",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "option",
        "optgroup",
    ]
)


LABELLED = frozenset({"input", "select", "textarea"})


UNLABELLED_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image"})


@dataclass
class PageForm:
    """A form as the page shows it."""

    method: str
    action: str
    multipart: bool = False
    inputs: dict[str, str] = field(default_factory=dict)
    has_token: bool = False
    #: whether a person fills something in (not just a button)
    fields: bool = False


class Page(HTMLParser):
    """What a crawl needs from one page, and what is wrong with it."""

    def __init__(self, url: str, token: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.token = token
        self.links: list[str] = []
        self.forms: list[PageForm] = []
        self.problems: list[str] = []
        self.lang = ""
        self.title = ""
        self.ids: Counter[str] = Counter()
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, str]] = []  # (id, description)
        self._stack: list[str] = []
        self._in_title = False
        self._button: list[str] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: str | None = None

    # -- parsing -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name, value in a.items():
            if name.startswith("on") or name == "style":
                self.problems.append(f"inline {name} on <{tag}>")
            if value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        if tag in ("script", "style"):
            self.problems.append(f"inline <{tag}>")
        if "id" in a:
            self.ids[a["id"]] += 1
            if a["id"] == "pwn":
                self.problems.append("a hostile name was not escaped")
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "title":
            self._in_title = True
        elif tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._open_form(a)
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        elif tag == "button":
            self._button = []
        self._control(tag, a)
        if tag not in VOID:
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag not in self._stack:
            self.problems.append(f"stray </{tag}>")
            return
        while self._stack:
            top = self._stack.pop()
            if top == tag:
                break
            if top not in OPTIONAL_END:
                self.problems.append(f"<{top}> closed by </{tag}>")
        if tag == "title":
            self._in_title = False
        elif tag == "button" and self._button is not None:
            if not "".join(self._button).strip():
                self.problems.append("a button without text")
            self._button = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [
                v for v, _ in options[:1]
            ]
            if name and self.forms and chosen:
                self.forms[-1].inputs.setdefault(name, chosen[0])
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._button is not None:
            self._button.append(data)
        if self._textarea and self.forms:
            self.forms[-1].inputs[self._textarea] += data

    def close(self) -> None:
        super().close()
        left = [tag for tag in self._stack if tag not in OPTIONAL_END]
        if left:
            self.problems.append(f"unclosed {left}")

    # -- forms -----------------------------------------------------------------

    def _open_form(self, a: dict[str, str]) -> None:
        action = urljoin(self.url, a.get("action") or self.url)
        multipart = a.get("enctype") == "multipart/form-data"
        self.forms.append(PageForm(a.get("method", "get").lower(), action, multipart))

    def _control(self, tag: str, a: dict[str, str]) -> None:
        if tag in LABELLED and a.get("type", "text") not in UNLABELLED_INPUTS:
            self.controls.append((a.get("id", ""), f"<{tag} name={a.get('name')}>"))
            if self.forms:
                self.forms[-1].fields = True
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text")
            if name == "_csrf_token":
                form.has_token = bool(self.token) and a.get("value") == self.token
            elif name and (kind not in ("checkbox", "radio") or "checked" in a):
                form.inputs[name] = a.get("value", "")
        elif tag == "select":
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea = name
            form.inputs[name] = ""

    # -- verdict ---------------------------------------------------------------

    def check(self, html: str) -> list[str]:
        """Every problem of this page."""
        problems = list(self.problems)
        if not html.startswith("<!DOCTYPE html>"):
            problems.append("no doctype")
        if not self.lang:
            problems.append("<html> has no lang")
        if not self.title.strip() or (
            self.title.startswith("Deltacloud API") and route(self.url) != "/api"
        ):
            problems.append(f"no <title> of its own: {self.title!r}")
        crumbs = html.partition('aria-label="Breadcrumbs">')[2].partition("</nav>")[0]
        if route(self.url) != "/api" and 'aria-current="page"' not in crumbs:
            problems.append("no breadcrumbs ending at this page")
        problems += [f"id {i!r} used twice" for i, n in self.ids.items() if n > 1]
        for control_id, what in self.controls:
            if not control_id or control_id not in self.label_for:
                problems.append(f"{what} has no <label for>")
        for form in self.forms:
            if form.method == "post" and not form.has_token:
                problems.append(f"POST form to {form.action} lacks the CSRF token")
        return problems


def route(url: str) -> str:
    """The path of ``url`` without matrix parameters (``/api;provider=eu/x``)."""
    return re.sub(r";[^/]*", "", urlsplit(url).path)
