#!/usr/bin/env python
"""Register service users, catalog entries and a demo user in the local Keystone.

usage: catalog.py AUTH_URL PASSWORD name:type:url [name:type:url ...]

Creates project 'service', the roles admin/service/member/reader, one user per
service name (password = PASSWORD) holding admin+service on project 'service'
(nova needs the 'service' role for neutron's external events, cinder for
attachment deletes), public/internal/admin endpoints in RegionOne, and a
project 'demo' with user 'demo' (member).  Several specs may share one name
(cinder is registered as block-storage and as volumev3).
"""

import sys

import openstack

auth_url, pw = sys.argv[1], sys.argv[2]
conn = openstack.connect(
    auth_url=auth_url,
    username="admin",
    password=pw,
    project_name="admin",
    user_domain_name="Default",
    project_domain_name="Default",
    region_name="RegionOne",
)
idn = conn.identity
service = idn.find_project("service") or idn.create_project(
    name="service", domain_id="default"
)
roles = {}
for r in ("admin", "service", "member", "reader"):
    roles[r] = idn.find_role(r) or idn.create_role(name=r)
users = {}
for spec in sys.argv[3:]:
    name, stype, url = spec.split(":", 2)
    if name not in users:
        users[name] = idn.find_user(name, domain_id="default") or idn.create_user(
            name=name, password=pw, domain_id="default", default_project_id=service.id
        )
        for r in ("admin", "service"):
            idn.assign_project_role_to_user(service, users[name], roles[r])
    svc = idn.create_service(
        name=name if stype != "volumev3" else name + "v3", type=stype
    )
    for iface in ("public", "internal", "admin"):
        idn.create_endpoint(
            service_id=svc.id, interface=iface, url=url, region_id="RegionOne"
        )
demo = idn.find_project("demo") or idn.create_project(name="demo", domain_id="default")
duser = idn.find_user("demo", domain_id="default") or idn.create_user(
    name="demo", password=pw, domain_id="default", default_project_id=demo.id
)
idn.assign_project_role_to_user(demo, duser, roles["member"])
print(
    f"catalog: {3 * (len(sys.argv) - 3)} endpoints registered; project demo, user demo"
)
