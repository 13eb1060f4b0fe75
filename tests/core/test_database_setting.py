"""The one setting that puts shared state in PostgreSQL (``DATABASE_URL``,
``DELTAFLASK_DATABASE_URL``): the session key every node shares, and a clear
refusal to start on a database that cannot be used."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from deltaflask import create_app
from deltaflask.store.postgres import DatabaseUnavailable

pytestmark = pytest.mark.xdist_group("postgres")


def _app(tmp_path: Path, name: str, **config: object):
    return create_app(
        {"TESTING": True, "DATA": str(tmp_path / name), "FRONTENDS": ["cimi"], **config}
    )


def test_nodes_on_one_database_share_the_session_key(tmp_path, database_url):
    first = _app(tmp_path, "a", DATABASE_URL=database_url)
    second = _app(tmp_path, "b", DATABASE_URL=database_url)
    assert first.secret_key == second.secret_key
    assert len(str(first.secret_key)) == 64
    assert not (tmp_path / "a/secret_key").exists()
    alone = _app(tmp_path, "c")  # without the database: a key of its own
    assert alone.secret_key != first.secret_key
    assert (tmp_path / "c/secret_key").exists()


def test_the_environment_variable_chooses_the_database(
    tmp_path, database_url, monkeypatch
):
    monkeypatch.setenv("DELTAFLASK_DATABASE_URL", database_url)
    assert _app(tmp_path, "a").config["DATABASE_URL"] == database_url
    assert _app(tmp_path, "b").secret_key == _app(tmp_path, "c").secret_key


def test_an_unusable_database_stops_the_start_without_showing_the_password(
    tmp_path,
):
    url = f"postgresql://someone:sekrit-pw@/nothing?host={tmp_path}"
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as refused:
        _app(tmp_path, "a", DATABASE_URL=url)
    assert time.monotonic() - started < 15
    assert "cannot use the database of DATABASE_URL" in str(refused.value)
    assert "sekrit-pw" not in str(refused.value)
