#!/usr/bin/env python
"""Wait until the local cloud can really boot a server, then seed it.

usage: seed.py AUTH_URL PASSWORD NOVA_API_DB SERVICES SEED(0|1)

Readiness: nova-compute is up and mapped to cell1 (host_mappings row, made by
the scheduler's discover_hosts periodic), its resource provider is in
placement, cinder-volume is up.  Seed (SEED=1): flavors m1.tiny/m1.small, a
1 MiB raw public image 'cirros-fake' (glance inspects uploads, so the data
must really be raw), a shared tenant network 'private' 10.0.0.0/24, an
external flat network 'public' 172.24.4.0/24 and router 'router1' joining them
(floating IPs work).
"""

import sqlite3
import sys
import time

import openstack

auth_url, pw, api_db, services, seed = sys.argv[1:6]
services = services.split()
conn = openstack.connect(
    auth_url=auth_url,
    username="admin",
    password=pw,
    project_name="admin",
    user_domain_name="Default",
    project_domain_name="Default",
    region_name="RegionOne",
)


def wait(what, fn, timeout=900):
    t = time.time()
    while True:
        try:
            if fn():
                print(f"ready: {what} ({time.time() - t:.1f} s)", flush=True)
                return
        except Exception as e:
            last = e
        else:
            last = None
        if time.time() - t > timeout:
            sys.exit(f"timeout waiting for {what} ({last})")
        time.sleep(0.5)


def mapped():
    with sqlite3.connect(api_db, timeout=30) as c:
        return c.execute("select count(*) from host_mappings").fetchone()[0] > 0


if "nova" in services:
    wait(
        "nova-compute up",
        lambda: any(
            s.binary == "nova-compute" and s.state == "up"
            for s in conn.compute.services()
        ),
    )
    wait(
        "compute resource provider",
        lambda: any(True for _ in conn.placement.resource_providers()),
    )
    wait("compute host mapped to cell1", mapped)
if "cinder" in services:
    wait(
        "cinder-volume up",
        lambda: any(
            s.binary == "cinder-volume" and s.state == "up"
            for s in conn.block_storage.services()
        ),
    )

if seed != "1":
    sys.exit(0)
if "nova" in services:
    for name, ram, vcpus, disk in (("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20)):
        if not conn.compute.find_flavor(name):
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk)
if "glance" in services and not conn.image.find_image("cirros-fake"):
    conn.image.create_image(
        name="cirros-fake",
        data=b"\0" * (1 << 20),
        disk_format="raw",
        container_format="bare",
        visibility="public",
    )
if "neutron" in services and not conn.network.find_network("private"):
    n = conn.network
    priv = n.create_network(name="private", is_shared=True)
    psub = n.create_subnet(
        name="private-subnet", network_id=priv.id, ip_version=4, cidr="10.0.0.0/24"
    )
    pub = n.create_network(
        name="public",
        is_router_external=True,
        provider_network_type="flat",
        provider_physical_network="public",
    )
    n.create_subnet(
        name="public-subnet",
        network_id=pub.id,
        ip_version=4,
        cidr="172.24.4.0/24",
        is_dhcp_enabled=False,
    )
    r = n.create_router(name="router1", external_gateway_info={"network_id": pub.id})
    n.add_interface_to_router(r, subnet_id=psub.id)
if "nova" in services:
    # the tests boot many servers; Nova's default quota (10) would refuse them
    for project in ("admin", "demo"):
        conn.set_compute_quotas(project, instances=-1, cores=-1, ram=-1)
print("seeded", flush=True)
