"""Crawl the whole HTML interface like a person clicking through it.

Starting at ``/api?format=html``, every link, stylesheet and GET form (with
its default values) is followed; every page must answer 200 or a friendly
error page (4xx, never 5xx), be well-formed HTML with a title and a language,
carry no inline script or style, put the session's CSRF token in every POST
form, label every input, give every button a text, post only to routes that
exist, and never echo a hostile name unescaped. It runs on the mock driver
and on the ec2 driver against a real moto server (a bounded crawl there:
the image list alone is long).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound

from deltaflask.plugins.deltacloud.views.forms import FORMS
from tests.support.auth import EC2_AUTH
from tests.support.auth import MOCK_AUTH
from tests.support.html import BROWSER
from tests.support.html_pages import HOSTILE
from tests.support.html_pages import Page
from tests.support.html_pages import PageForm
from tests.support.html_pages import route
from tests.support.moto_server import MotoServer

#: what the provider refused or failed (the error page says so; never a 500)
PROVIDER_ERRORS = frozenset({502, 503, 504})
#: the collections of both drivers, then those only the mock offers
EC2_COLLECTIONS = frozenset({
    "instances", "images", "keys", "storage_volumes", "storage_snapshots",
    "buckets", "addresses", "networks", "subnets", "firewalls",
    "load_balancers", "realms", "hardware_profiles",
})  # fmt: skip
MOCK_COLLECTIONS = EC2_COLLECTIONS | {
    "network_interfaces", "instance_states", "metrics", "drivers"
}  # fmt: skip


def error_page(html: str, status: int) -> bool:
    """Whether ``html`` is the friendly error page for ``status``."""
    return (
        f"<h2>{status}</h2>" in html
        and 'class="message"' in html
        and "Traceback" not in html
    )


class Crawler:
    """Breadth-first over the pages a browser can reach from ``/api``."""

    def __init__(
        self, app: Flask, client: FlaskClient, auth: str, per_kind: int
    ) -> None:
        self.app = app
        self.client = client
        self.headers = {"Authorization": auth, **BROWSER}
        self.per_kind = per_kind
        self.seen: set[str] = set()
        self.kinds: Counter[tuple[Any, ...]] = Counter()
        self.problems: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.posts: set[tuple[str, str]] = set()
        self.pages: dict[str, str] = {}
        self.post_forms: list[tuple[str, PageForm]] = []
        self.submitted: Counter[int] = Counter()
        self.redirects: list[str] = []

    def crawl(self, start: str, limit: int) -> None:
        """Visit pages from ``start`` until none is left (at most ``limit``)."""
        queue = [start]
        while queue and len(self.seen) < limit:
            url = queue.pop(0)
            queue.extend(self.visit(url))
        assert not queue, f"crawl stopped at {limit} pages with {len(queue)} left"

    def _wanted(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            self.problems.append(f"link leaves the site: {url}")
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in self.seen or not parts.path.startswith(("/api", "/static")):
            return None
        segments = parts.path.split("/")[2:]
        kind = (
            segments[0] if segments else "",
            len(segments),
            segments[-1] if segments[-1:] in (["run"], ["new"], ["content"]) else "",
            tuple(sorted(re.findall(r"(\w+)=", parts.query))),
        )
        if self.kinds[kind] >= self.per_kind:
            return None
        self.kinds[kind] += 1
        self.seen.add(path)
        return path

    def visit(self, url: str) -> Iterator[str]:
        """Fetch ``url``, check it and yield the URLs it leads to."""
        path = self._wanted(url)
        if path is not None:
            yield from self.fetch(path)

    def fetch(self, path: str) -> Iterator[str]:
        """GET ``path``, check the answer and yield the URLs it leads to."""
        with self.client.get(path, headers=self.headers) as response:
            status = response.status_code
            body = response.get_data(as_text=response.mimetype.startswith("text/"))
            download = "attachment" in response.headers.get("Content-Disposition", "")
        self.statuses[status] += 1
        if status >= 500 or status in (301, 302, 307):
            self.problems.append(f"{path}: {status}")
            return
        if status == 303:
            yield urljoin(f"http://localhost{path}", response.headers["Location"])
            return
        if download or response.mimetype != "text/html":
            if status != 200:
                self.problems.append(f"{path}: {status} {response.mimetype}")
            return
        if status != 200 and not (400 <= status < 500 and error_page(body, status)):
            self.problems.append(f"{path}: {status} without the error page")
        self.pages[path] = body
        yield from self._check_page(path, body)

    def _check_page(self, path: str, html: str) -> Iterator[str]:
        with self.client.session_transaction() as session:
            token = session.get("csrf_token")
        page = Page(f"http://localhost{path}", token)
        page.feed(html)
        page.close()
        self.problems += [f"{path}: {p}" for p in page.check(html)]
        for link in page.links:
            yield urljoin(page.url, link)
        for form in page.forms:
            if form.method == "get":
                yield f"{form.action.split('?')[0]}?{urlencode(form.inputs)}"
            else:
                self._check_target(path, form)
                self.post_forms.append((path, form))

    def submit_forms(self) -> None:
        """Submit every kind of POST form once, as the page fills it in.

        Defaults may be valid (the resource is created or acted on) or not
        (a required field is empty): either way the answer is a redirect to
        a working page, the form back with a message, or the error page.
        The driver picker is left alone (it would switch the cloud).
        """
        done: set[tuple[str, ...]] = set()
        # creations and actions first, then deletions (images last: moto
        # fails on instances whose image is gone)
        ordered = sorted(
            self.post_forms,
            key=lambda found: (
                "_method=DELETE" in found[1].action,
                "/api/images/" in found[1].action,
            ),
        )
        for page, form in ordered:
            parts = urlsplit(form.action)
            segments = parts.path.split("/")[2:]
            kind = (segments[0], str(len(segments)), segments[-1], parts.query)
            if segments[0] == "drivers" or kind in done:
                continue
            done.add(kind)
            self._submit(page, form)

    def _submit(self, page: str, form: PageForm) -> None:
        with self.client.session_transaction() as session:
            data = {**form.inputs, "_csrf_token": session.get("csrf_token", "")}
        parts = urlsplit(form.action)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        with self.client.post(
            target,
            data=data,
            headers={**self.headers, "Referer": f"http://localhost{page}"},
            content_type="multipart/form-data" if form.multipart else None,
        ) as response:
            status = response.status_code
            html = response.get_data(as_text=True)
            location = response.headers.get("Location", "")
        where = f"{page}: POST {target} {sorted(form.inputs)}"
        if status == 303:
            self.submitted[status] += 1
            self.redirects.append(location)
            shown = urlsplit(urljoin("http://localhost/", location))
            for _ in self.fetch(
                shown.path + (f"?{shown.query}" if shown.query else "")
            ):
                pass
        elif status not in PROVIDER_ERRORS and not 200 <= status < 500:
            self.problems.append(f"{where}: {status}")
        elif status >= 400 and not (
            error_page(html, status) or 'class="error form-error"' in html
        ):
            self.problems.append(f"{where}: {status} without a message")
        else:
            self.submitted[status] += 1
            for _ in self._check_page(target, html):
                pass

    def _check_target(self, path: str, form: PageForm) -> None:
        """A POST form must post to a route that takes it, and a form with
        fields to one that checks them (to give the form back on errors)."""
        parts = urlsplit(form.action)
        override = re.search(r"_method=(\w+)", parts.query)
        method = override.group(1).upper() if override else "POST"
        self.posts.add((method, route(form.action)))
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(route(form.action), method=method)
        except (NotFound, MethodNotAllowed):
            self.problems.append(f"{path}: form posts to {method} {parts.path}")
            return
        if form.fields and endpoint not in FORMS:
            self.problems.append(f"{path}: {endpoint} does not check its form")


def crawl(
    app: Flask, auth: str, limit: int, per_kind: int = 1_000, start: str = "/api"
) -> Crawler:
    """Crawl ``app`` from the entry point ``start`` as a logged-in browser,
    then submit its forms; every problem found is in ``crawler.problems``."""
    crawler = Crawler(app, app.test_client(), auth, per_kind)
    crawler.crawl(f"{start}?format=html", limit)
    crawler.submit_forms()
    assert not crawler.problems, "\n".join(crawler.problems)
    return crawler


# -- the mock cloud --------------------------------------------------------------------


def seed_hostile_mock(client: FlaskClient, json_headers: dict[str, str]) -> None:
    """Resources whose names and values could break out of the markup."""
    for path, data in (
        ("/api/instances", {"image_id": "img1", "name": HOSTILE}),
        ("/api/storage_volumes", {"capacity": "1", "description": HOSTILE}),
        ("/api/firewalls", {"name": "fw1", "description": HOSTILE}),
        (
            "/api/buckets/bucket1",
            {
                "blob_id": "hostile",
                "blob_data": HOSTILE,
                "meta_params": "1",
                "meta_name1": "note",
                "meta_value1": HOSTILE,
            },
        ),
    ):
        created = client.post(path, data=data, headers=json_headers)
        assert created.status_code in (200, 201), (path, created.get_data(True))


def test_every_page_of_the_mock_cloud(app: Flask, client, json_headers) -> None:
    seed_hostile_mock(client, json_headers)
    crawler = crawl(app, MOCK_AUTH, limit=400)
    assert len(crawler.seen) > 60
    for collection in MOCK_COLLECTIONS:
        assert f"/api/{collection}" in crawler.seen, collection
    for form in (
        "/api/instances/new",
        "/api/keys/new",
        "/api/storage_volumes/new",
        "/api/storage_snapshots/new",
        "/api/buckets/new",
        "/api/networks/new",
        "/api/subnets/new",
        "/api/network_interfaces/new",
        "/api/firewalls/new",
        "/api/load_balancers/new",
    ):
        assert form in crawler.seen, form
    assert {"POST", "DELETE"} <= {method for method, _ in crawler.posts}


def test_links_and_forms_keep_the_provider_the_url_chose(app: Flask) -> None:
    crawler = crawl(app, MOCK_AUTH, limit=400, start="/api;provider=eu")
    api_pages = [p for p in crawler.seen if not p.startswith("/static/")]
    assert len(api_pages) > 60
    assert all(p.startswith("/api;provider=eu") for p in api_pages)
    assert crawler.submitted[303] > 20
    for location in crawler.redirects:
        assert location.startswith("http://localhost/api;provider=eu/"), location


# -- the ec2 driver against moto -------------------------------------------------------------


def seed_ec2(client: FlaskClient) -> None:
    """One of everything (some with hostile names) in the moto cloud."""
    api = {"Authorization": EC2_AUTH, "Accept": "application/json"}

    def post(path: str, **data: str) -> Any:
        response = client.post(path, data=data, headers=api)
        assert response.status_code in (200, 201, 202, 204), (
            path,
            response.get_data(True),
        )
        return response.get_json() if response.data else None

    image = "ami-fa7cdd89"
    instance = post("/api/instances", image_id=image, name=HOSTILE)["instance"]
    post("/api/keys", name="k" + HOSTILE)
    volume = post("/api/storage_volumes", capacity="1")["storage_volume"]
    post(
        f"/api/storage_volumes/{volume['id']}/attach",
        instance_id=instance["id"],
        device="/dev/sdh",
    )
    post("/api/storage_snapshots", volume_id=volume["id"])
    address = post("/api/addresses")["address"]
    post(f"/api/addresses/{address['id']}/associate", instance_id=instance["id"])
    post("/api/addresses")
    network = post("/api/networks", address_block="10.60.0.0/16", name=HOSTILE)
    post(
        "/api/subnets",
        network_id=network["network"]["id"],
        address_block="10.60.1.0/24",
    )
    firewall = post("/api/firewalls", name="fw1", description=HOSTILE)["firewall"]
    post(
        f"/api/firewalls/{firewall['id']}/rules",
        protocol="tcp",
        port_from="22",
        port_to="22",
        ip_address1="10.0.0.0/8",
    )
    post("/api/buckets", name="crawl-bucket")
    post(
        "/api/buckets/crawl-bucket",
        blob_id="b1",
        blob_data=HOSTILE,
        meta_params="1",
        meta_name1="note",
        meta_value1=HOSTILE,
    )
    post(
        "/api/load_balancers",
        name="crawl-lb",
        realm_id="us-east-1a",
        listener_protocol="HTTP",
        listener_balancer_port="80",
        listener_instance_port="8080",
    )


def test_every_page_of_the_ec2_driver(ec2_app: Flask, aws: MotoServer) -> None:
    seed_ec2(ec2_app.test_client())
    crawler = crawl(ec2_app, EC2_AUTH, limit=400, per_kind=2)
    for collection in EC2_COLLECTIONS:
        assert f"/api/{collection}" in crawler.seen, collection


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<p><b>bold</p>", "<b> closed by </p>"),
        ("<div>x", "<div> closed by </body>"),
        ('<a href="/x" onclick="go()">x</a>', "inline onclick on <a>"),
        ('<form method="post" action="/api/keys"></form>', "lacks the CSRF token"),
        ('<input id="a" name="a">', "has no <label for>"),
        ("<button></button>", "a button without text"),
        (f"<p>{HOSTILE}</p>", "a hostile name was not escaped"),
        ('<a href="javascript:go()">x</a>', "javascript: URL on <a>"),
    ],
)
def test_the_checker_finds_broken_pages(html: str, problem: str) -> None:
    doc = f'<!DOCTYPE html><html lang="en"><title>t</title><body>{html}</body></html>'
    page = Page("http://localhost/api", "token")
    page.feed(doc)
    page.close()
    assert any(problem in found for found in page.check(doc)), page.check(doc)


def test_the_crawler_flags_links_off_the_site(app: Flask) -> None:
    crawler = Crawler(app, app.test_client(), MOCK_AUTH, per_kind=1)
    assert crawler._wanted("https://cdn.example/x.css") is None
    assert crawler.problems == ["link leaves the site: https://cdn.example/x.css"]
