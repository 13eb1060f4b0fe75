"""Make every SQLAlchemy transaction on SQLite start with BEGIN IMMEDIATE.

OpenStack services read and then write inside one transaction.  On SQLite a
transaction that has read and then wants to write while another process
holds the write lock gets "database is locked" at once (the busy timeout
does not apply to that lock upgrade), which fails server builds, quota
updates and heartbeats at random.  Taking the write lock at BEGIN makes
transactions queue on the busy timeout instead (the recipe from the
SQLAlchemy pysqlite docs, with IMMEDIATE).

oslo.db already switches pysqlite's implicit BEGIN off and emits a plain
BEGIN itself; this only makes that BEGIN IMMEDIATE.
Loaded by sitecustomize.py (same directory, on PYTHONPATH).  It installs
itself when sqlalchemy is imported, so nothing is imported before eventlet
monkey-patching.
"""

import importlib.abc
import importlib.util
import sys


def _install(_module=None):
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _osl_connect(dbapi_conn, record):
        if type(dbapi_conn).__module__.startswith("sqlite3"):
            dbapi_conn.isolation_level = None  # pysqlite: no implicit BEGIN

    # Class-level listeners run before oslo.db's per-engine ones; oslo.db
    # emits a plain (deferred) BEGIN unless conn.info["in_transaction"] is
    # set, and clears that marker again on commit/rollback.
    @event.listens_for(Engine, "begin")
    def _osl_begin(conn):
        if conn.dialect.name == "sqlite" and "in_transaction" not in conn.info:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.info["in_transaction"] = True

    @event.listens_for(Engine, "commit")
    @event.listens_for(Engine, "rollback")
    def _osl_end(conn):
        conn.info.pop("in_transaction", None)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "sqlalchemy":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        orig = spec.loader.exec_module

        def exec_module(module):
            orig(module)
            _install(module)

        spec.loader.exec_module = exec_module
        return spec


if "sqlalchemy" in sys.modules:
    _install()
else:
    sys.meta_path.insert(0, _Finder())
