"""A fake oVirt engine on a loopback port: the SSO token service and the
``/ovirt-engine/api`` XML resources ovirt-engine-sdk-python uses.

It answers as the engine does: a bearer token from
``POST /ovirt-engine/sso/oauth/token`` (JSON, an ``error_code`` when the user
name or password is wrong), XML documents for the resources, 201 for adds,
``<action><status>complete</status></action>`` for actions and a
``<fault><reason/><detail/></fault>`` with 400, 401, 404, 409 or 500 for
refusals, worded like the engine's. Faults queued in
:attr:`EngineState.faults` make the next matching request fail or answer
late (a time-out). State lives in memory and is shared by every thread.
"""

from __future__ import annotations

import json
import random
import secrets
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

from tests.fakes.rhevm import render
from tests.fakes.rhevm.state import PASSWORD
from tests.fakes.rhevm.state import USER
from tests.fakes.rhevm.state import EngineState
from tests.fakes.rhevm.state import Resource
from tests.fakes.rhevm.state import new_id
from tests.fakes.rhevm.state import now
from tests.fakes.rhevm.state import seeded

TOKEN_PATH = "/ovirt-engine/sso/oauth/token"
LOGOUT_PATH = "/ovirt-engine/services/sso-logout"


class EngineFault(Exception):
    """A refusal the engine answers with a fault document."""

    def __init__(self, status: int, detail: str, reason: str = "Operation Failed"):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason


def not_found(what: str, item_id: str) -> EngineFault:
    """The engine's 404 for a well-formed id it does not know; an id that is
    no UUID is refused with 400 before any lookup, as the engine's
    ``MalformedIdExceptionMapper`` does."""
    try:
        uuid.UUID(item_id)
    except ValueError:
        return EngineFault(400, f"Invalid UUID string: {item_id}", "Operation failed")
    return EngineFault(404, f"Entity not found: {what}: id={item_id}", "Not Found")


class Handler(BaseHTTPRequestHandler):
    """One request to the fake engine."""

    protocol_version = "HTTP/1.1"
    server: EngineServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the state, not a log."""

    # -- plumbing ---------------------------------------------------------------
    def do_GET(self) -> None:
        self.serve("GET")

    def do_POST(self) -> None:
        self.serve("POST")

    def do_DELETE(self) -> None:
        self.serve("DELETE")

    def serve(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        state = self.server.state
        if url.path == TOKEN_PATH:
            return self.sso_token(parse_qs(body.decode()))
        if url.path == LOGOUT_PATH:
            token = parse_qs(body.decode()).get("token", [""])[0]
            state.tokens.discard(token)
            return self.send(200, json.dumps({}).encode(), "application/json")
        if not url.path.startswith(render.API):
            return self.send(404, b"no such page", "text/plain")
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in state.tokens:
            return self.fault(EngineFault(401, "Unauthorized", "Unauthorized"))
        parts = [p for p in url.path[len(render.API) :].split("/") if p]
        fault = state.take_fault(method, url.path)
        if fault is not None and not fault.delay:
            return self.fault(EngineFault(fault.status, fault.detail, fault.reason))
        try:
            with state.lock:
                status, root = route(state, method, parts, query, body)
        except EngineFault as refused:
            status, root = refused.status, render.fault(refused.reason, refused.detail)
        if fault is not None:
            time.sleep(fault.delay)
        self.send(status, render.document(root), "application/xml")

    def sso_token(self, form: dict[str, list[str]]) -> None:
        user = form.get("username", [""])[0]
        password = form.get("password", [""])[0]
        if (user, password) != (USER, PASSWORD):
            answer = {
                "error_code": "access_denied",
                "error": f"Cannot authenticate user '{user}': "
                "The username or password is incorrect..",
            }
            return self.send(400, json.dumps(answer).encode(), "application/json")
        token = secrets.token_urlsafe(24)
        self.server.state.tokens.add(token)
        answer = {
            "access_token": token,
            "scope": "ovirt-app-api",
            "exp": str(int(time.time() * 1000) + 3_600_000),
            "token_type": "bearer",
        }
        self.send(200, json.dumps(answer).encode(), "application/json")

    def fault(self, refused: EngineFault) -> None:
        root = render.fault(refused.reason, refused.detail)
        self.send(refused.status, render.document(root), "application/xml")

    def send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a time-out)


# -- routes -------------------------------------------------------------------------
Answer = tuple[int, ET.Element]


def route(
    state: EngineState,
    method: str,
    parts: list[str],
    query: dict[str, str],
    body: bytes,
) -> Answer:
    """Dispatch one API request to the resource it names."""
    if not parts:
        return 200, render.api_root()
    top = parts[0]
    if top == "vms":
        return vms(state, method, parts[1:], query, body)
    if top == "disks":
        return disks(state, method, parts[1:], body)
    if top in render.TOP_LEVEL and method == "GET":
        tag, draw, _ = render.TOP_LEVEL[top]
        found = render.items(state, top)
        if len(parts) == 1:
            return 200, render.collection(tag, map(draw, found.values()))
        if len(parts) == 2 and parts[1] in found:
            return 200, draw(found[parts[1]])
        if len(parts) == 2:
            raise not_found(top, parts[1])
    raise EngineFault(404, f"No resource at {'/'.join(parts)}", "Not Found")


def parse(body: bytes) -> ET.Element:
    try:
        return fromstring(body)
    except ET.ParseError as exc:
        raise EngineFault(400, f"Malformed XML: {exc}", "Bad Request") from None


def referenced(
    element: ET.Element, tag: str, known: dict[str, Resource], what: str
) -> Resource | None:
    """The resource ``<tag id=...>`` or ``<tag><name>`` of a request names."""
    found = element.find(tag)
    if found is None:
        return None
    wanted_id = found.get("id")
    if wanted_id:
        if wanted_id not in known:
            raise not_found(what, wanted_id)
        return known[wanted_id]
    name = found.findtext("name")
    match = [item for item in known.values() if item["name"] == name]
    if not match:
        raise EngineFault(404, f"Entity not found: {what}: name={name}", "Not Found")
    return match[0]


def incomplete(what: str, *fields: str) -> EngineFault:
    detail = f"{what} [{', '.join(fields)}] required for add"
    return EngineFault(400, detail, "Incomplete parameters")


def vms(
    state: EngineState, method: str, rest: list[str], query: dict[str, str], body: bytes
) -> Answer:
    follow = set(query.get("follow", "").split(",")) - {""}
    if not rest:
        if method == "POST":
            created = add_vm(state, parse(body))
            return 201, render.vm(created, set())
        listed = state.vms.values()
        search = query.get("search", "")
        if search.startswith("name="):
            listed = [v for v in listed if v["name"] == search[len("name=") :]]
        return 200, render.collection("vms", (render.vm(v, follow) for v in listed))
    vm = state.vms.get(rest[0])
    if vm is None:
        raise not_found("VM", rest[0])
    if len(rest) == 1:
        if method == "DELETE":
            if vm["status"] != "down":
                raise EngineFault(409, "[Cannot remove VM. VM is running.]")
            for attachment in vm["disk_attachments"]:
                state.disks.pop(attachment, None)
            del state.vms[vm["id"]]
            return 200, render.action_done()
        return 200, render.vm(vm, follow)
    if rest[1] in ACTIONS and method == "POST":
        ACTIONS[rest[1]](state, vm)
        return 200, render.action_done()
    if rest[1] == "nics":
        return nics(state, vm, method, rest[2:], body)
    if rest[1] == "diskattachments":
        return attachments(state, vm, method, rest[2:], body)
    raise EngineFault(404, f"No resource at vms/{'/'.join(rest)}", "Not Found")


def add_vm(state: EngineState, element: ET.Element) -> Resource:
    name = element.findtext("name")
    cluster = referenced(element, "cluster", state.clusters, "Cluster")
    template = referenced(element, "template", state.templates, "Template")
    if not name or cluster is None or template is None:
        raise incomplete("Vm", "name", "cluster", "template")
    if any(v["name"] == name for v in state.vms.values()):
        raise EngineFault(
            409,
            "[Cannot add VM. The VM name is already in use, please choose a unique name and try again.]",
        )
    kind = referenced(element, "instance_type", state.instancetypes, "InstanceType")
    sized = kind or template
    cores = element.findtext("cpu/topology/cores")
    memory = element.findtext("memory")
    vm = {
        "id": new_id(),
        "name": name,
        "description": element.findtext("description"),
        "cluster": cluster["id"],
        "template": template["id"],
        "instance_type": kind["id"] if kind else None,
        "cores": int(cores) if cores else sized["cores"],
        "memory": int(memory) if memory else sized["memory"],
        "status": "down",
        "creation_time": now(),
        "custom_script": element.findtext("initialization/custom_script"),
        "nics": {},
        "disk_attachments": {},
    }
    state.vms[vm["id"]] = vm
    return vm


def _start(state: EngineState, vm: Resource) -> None:
    if vm["status"] != "down":
        raise EngineFault(409, "[Cannot run VM. VM is running.]")
    vm["status"] = "up"


def _stop(state: EngineState, vm: Resource) -> None:
    if vm["status"] not in ("up", "powering_down"):
        raise EngineFault(409, "[Cannot stop VM. VM is not running.]")
    vm["status"] = "down"


def _shutdown(state: EngineState, vm: Resource) -> None:
    if vm["status"] != "up":
        raise EngineFault(409, "[Cannot shutdown VM. VM is not running.]")
    vm["status"] = "powering_down" if vm["id"] in state.stubborn else "down"


def _reboot(state: EngineState, vm: Resource) -> None:
    if vm["status"] != "up":
        raise EngineFault(409, "[Cannot reboot VM. VM is not up.]")


ACTIONS = {"start": _start, "stop": _stop, "shutdown": _shutdown, "reboot": _reboot}


def nics(
    state: EngineState, vm: Resource, method: str, rest: list[str], body: bytes
) -> Answer:
    if not rest:
        if method == "POST":
            element = parse(body)
            profile = referenced(
                element, "vnic_profile", state.vnicprofiles, "VnicProfile"
            )
            name = element.findtext("name")
            if not name or profile is None:
                raise incomplete("Nic", "name", "vnic_profile")
            if any(n["name"] == name for n in vm["nics"].values()):
                raise EngineFault(
                    409, "[Cannot add Interface. The name is already in use.]"
                )
            mac = ":".join(f"{b:02x}" for b in [86, 111, *random.sample(range(256), 4)])
            created = {
                "id": new_id(),
                "name": name,
                "interface": element.findtext("interface") or "virtio",
                "mac": mac,
                "vnic_profile": profile["id"],
            }
            vm["nics"][created["id"]] = created
            return 201, render.nic(vm["id"], created)
        members = (render.nic(vm["id"], n) for n in vm["nics"].values())
        return 200, render.collection("nics", members)
    found = vm["nics"].get(rest[0])
    if found is None:
        raise not_found("VmNetworkInterface", rest[0])
    if method == "DELETE":
        del vm["nics"][rest[0]]
        return 200, render.action_done()
    return 200, render.nic(vm["id"], found)


def attachments(
    state: EngineState, vm: Resource, method: str, rest: list[str], body: bytes
) -> Answer:
    if not rest:
        if method == "POST":
            element = parse(body)
            disk = referenced(element, "disk", state.disks, "Disk")
            if disk is None or not element.findtext("interface"):
                raise incomplete("DiskAttachment", "disk.id", "interface")
            if any(disk["id"] in v["disk_attachments"] for v in state.vms.values()):
                raise EngineFault(
                    409,
                    "[Cannot attach Virtual Disk. The disk is already attached to a VM.]",
                )
            created = {
                "id": disk["id"],
                "interface": element.findtext("interface"),
                "bootable": element.findtext("bootable") == "true",
            }
            vm["disk_attachments"][disk["id"]] = created
            return 201, render.disk_attachment(vm["id"], created)
        members = (
            render.disk_attachment(vm["id"], a) for a in vm["disk_attachments"].values()
        )
        return 200, render.collection("disk_attachments", members)
    found = vm["disk_attachments"].get(rest[0])
    if found is None:
        raise not_found("DiskAttachment", rest[0])
    if method == "DELETE":
        del vm["disk_attachments"][rest[0]]
        return 200, render.action_done()
    return 200, render.disk_attachment(vm["id"], found)


def disks(state: EngineState, method: str, rest: list[str], body: bytes) -> Answer:
    if not rest:
        if method == "POST":
            element = parse(body)
            size = element.findtext("provisioned_size")
            domains = element.find("storage_domains")
            domain = (
                referenced(
                    domains, "storage_domain", state.storagedomains, "StorageDomain"
                )
                if domains is not None
                else None
            )
            if not size or domain is None:
                raise incomplete("Disk", "provisioned_size", "storage_domains")
            if int(size) > domain["available"]:
                raise EngineFault(
                    409,
                    "[Cannot add Virtual Disk. Low disk space on Storage Domain data1.]",
                )
            created = {
                "id": new_id(),
                "name": element.findtext("name") or element.findtext("alias") or "disk",
                "description": element.findtext("description"),
                "provisioned_size": int(size),
                "status": "ok",
                "storage_domain": domain["id"],
            }
            state.disks[created["id"]] = created
            return 201, render.disk(created)
        return 200, render.collection("disks", map(render.disk, state.disks.values()))
    found = state.disks.get(rest[0])
    if found is None:
        raise not_found("Disk", rest[0])
    if method == "DELETE":
        if any(found["id"] in v["disk_attachments"] for v in state.vms.values()):
            raise EngineFault(
                409, "[Cannot remove Virtual Disk. Disk is attached to a VM.]"
            )
        del state.disks[found["id"]]
        return 200, render.action_done()
    return 200, render.disk(found)


# -- the server ---------------------------------------------------------------------
class EngineServer(ThreadingHTTPServer):
    """The HTTP server and the engine state it serves."""

    daemon_threads = True
    state: EngineState

    @property
    def url(self) -> str:
        """The API URL a client connects to."""
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}{render.API}"


@contextmanager
def running_engine(tls: ssl.SSLContext | None = None) -> Iterator[EngineServer]:
    """A fake engine on a free loopback port (HTTPS with ``tls``), stopped after."""
    server = EngineServer(("127.0.0.1", 0), Handler)
    server.state = seeded()
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
