"""The command line's verbs beyond list/show/create/destroy: each collection's
actions, called on one object with ``NAME=VALUE`` parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deltaflask.client.compute import Image
from deltaflask.client.compute import Instance
from deltaflask.client.errors import BadRequest
from deltaflask.client.network import Address
from deltaflask.client.network import Firewall
from deltaflask.client.network import LoadBalancer
from deltaflask.client.storage import StorageVolume

Action = Callable[[Any, dict[str, str]], Any]


def needs(params: dict[str, str], *names: str) -> list[str]:
    """The values of required parameters (a usage error names the missing)."""
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise BadRequest(
            400, f"missing parameter(s): {', '.join(missing)} (NAME=VALUE)"
        )
    return [params.pop(name) for name in names]


def _instance(params: dict[str, str]) -> str:
    return needs(params, "instance_id")[0]


ACTIONS: dict[str, dict[str, Action]] = {
    "instances": {
        "start": lambda item, p: Instance.start(item),
        "stop": lambda item, p: Instance.stop(item),
        "reboot": lambda item, p: Instance.reboot(item),
        "run": lambda item, p: Instance.run(item, *needs(p, "cmd"), **p),
        "create_image": lambda item, p: Instance.create_image(item, **p),
    },
    "images": {"launch": lambda item, p: Image.launch(item, **p)},
    "storage_volumes": {
        "attach": lambda item, p: StorageVolume.attach(
            item, _instance(p), p.get("device")
        ),
        "detach": lambda item, p: StorageVolume.detach(item),
        "snapshot": lambda item, p: StorageVolume.snapshot(item, **p),
    },
    "addresses": {
        "associate": lambda item, p: Address.associate(item, _instance(p)),
        "disassociate": lambda item, p: Address.disassociate(item),
    },
    "load_balancers": {
        "register": lambda item, p: LoadBalancer.register(item, _instance(p)),
        "unregister": lambda item, p: LoadBalancer.unregister(item, _instance(p)),
    },
    "firewalls": {
        "add_rule": lambda item, p: Firewall.add_rule(
            item, *needs(p, "protocol", "port_from", "port_to"), **p
        ),
        "delete_rule": lambda item, p: Firewall.delete_rule(item, *needs(p, "rule_id")),
    },
}
