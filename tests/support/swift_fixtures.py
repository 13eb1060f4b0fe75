"""Fixtures of the openstack driver's object-storage tests (registered by the
root conftest): one Keystone + Swift set per test session, and for each test
a fresh project (an empty Swift account) with an app and credentials for it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from deltaflask.testing import DriverUnderTest
from tests.support.swift import REGION
from tests.support.swift import Account
from tests.support.swift import SwiftCloud
from tests.support.swift import swift_cloud


@pytest.fixture(scope="session")
def swift(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SwiftCloud]:
    """Keystone, memcached and a Swift all-in-one for the whole run; fails
    (never skips) when they cannot start."""
    with swift_cloud(tmp_path_factory.mktemp("swift")) as cloud:
        yield cloud


@pytest.fixture
def swift_account(swift: SwiftCloud) -> Account:
    """A new Keystone project and member: an empty Swift account."""
    return swift.new_account()


@pytest.fixture
def swift_driver(swift: SwiftCloud, swift_account: Account) -> DriverUnderTest:
    """The openstack driver as ``swift_account``; the provider is the identity
    URL and region (``URL;RegionOne``)."""
    return DriverUnderTest(
        "openstack",
        credentials=(swift_account.username, swift_account.password),
        provider=f"{swift.identity_url};{REGION}",
    )


@pytest.fixture
def swift_app(swift_driver: DriverUnderTest) -> Flask:
    """An application whose default driver is openstack, on the Swift set."""
    return swift_driver.app()


@pytest.fixture
def swift_client(swift_app: Flask) -> FlaskClient:
    """A test client of ``swift_app``."""
    return swift_app.test_client()


@pytest.fixture
def swift_auth(swift_driver: DriverUnderTest) -> dict[str, str]:
    """Basic ``user+project:password`` of ``swift_account``, asking for JSON."""
    return swift_driver.auth_headers()
