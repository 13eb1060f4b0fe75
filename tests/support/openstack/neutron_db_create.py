#!/usr/bin/env python
"""Create the neutron schema on SQLite from the models.

neutron's alembic migrations use ALTER ... CONSTRAINT, which SQLite lacks
("NotImplementedError: No support for ALTER of constraints in SQLite
dialect"), so build the tables from the models the way neutron's unit tests
do, then add the one piece of seed data a fresh neutron needs: the default
security group rule templates (egress any v4/v6 for every SG, ingress from
the same group for 'default' SGs), which migration c33da356b165 inserts.
Afterwards run:  neutron-db-manage ... stamp heads

usage: neutron_db_create.py SQLALCHEMY_URL
"""

import glob
import importlib.util
import os
import sys

import neutron
import sqlalchemy as sa
from neutron.db.migration.models import head

engine = sa.create_engine(sys.argv[1])
meta = head.get_metadata()
meta.create_all(engine)

path = glob.glob(
    os.path.join(
        os.path.dirname(neutron.__file__),
        "db",
        "migration",
        "alembic_migrations",
        "versions",
        "*",
        "expand",
        "c33da356b165_*.py",
    )
)[0]
spec = importlib.util.spec_from_file_location("sgdefaults", path)
mig = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mig)

std = meta.tables["standardattributes"]
tpl = meta.tables["securitygroupdefaultrules"]
with engine.begin() as c:
    for rule in mig.default_template_rules:
        rule = dict(rule)
        res = c.execute(
            sa.insert(std).values(
                description=rule.pop("description"),
                resource_type="securitygroupdefaultrules",
            )
        )
        rule["standard_attr_id"] = res.inserted_primary_key[0]
        c.execute(sa.insert(tpl).values(**rule))
print(
    f"neutron schema: {len(meta.tables)} tables, "
    f"{len(mig.default_template_rules)} default SG rule templates"
)
