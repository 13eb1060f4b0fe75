"""The engine's certificate is verified: a self-signed one is refused with a
502 saying what to set, and accepted only when the user says so
(``RHEVM_INSECURE=1``) or names its CA (``RHEVM_CA_FILE``)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.test import TestResponse

from deltaflask import create_app
from deltaflask.testing.api import answer
from deltaflask.testing.api import error_message
from tests.fakes.rhevm.server import EngineServer
from tests.fakes.rhevm.server import running_engine
from tests.support.rhevm_engine import credentials_header

pytestmark = pytest.mark.xdist_group("rhevm")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, owner-only."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "engine.pem", folder / "engine.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for path in (cert_path, key_path):
        path.chmod(0o600)
    return cert_path, key_path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rhevm-tls")
    folder.chmod(0o700)
    return folder


@pytest.fixture(scope="module")
def tls_engine(certificate: Path) -> Iterator[tuple[EngineServer, Path]]:
    cert, key = self_signed(certificate)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with running_engine(context) as server:
        yield server, cert


def realms(server: EngineServer, **settings: str) -> TestResponse:
    """``GET /api/realms`` through a fresh app with ``settings``."""
    app = create_app(
        {
            "TESTING": True,
            "DRIVER": "rhevm",
            "PROVIDER": server.url,
            "FRONTENDS": "deltacloud",
            **settings,
        }
    )
    return app.test_client().get("/api/realms", headers=credentials_header())


def test_self_signed_certificate_is_refused_by_default(
    tls_engine: tuple[EngineServer, Path],
) -> None:
    server, _ = tls_engine
    assert server.url.startswith("https://")
    assert "RHEVM_INSECURE=1" in error_message(realms(server), 502)


def test_insecure_accepts_it_when_the_user_says_so(
    tls_engine: tuple[EngineServer, Path],
) -> None:
    server, _ = tls_engine
    assert answer(realms(server, RHEVM_INSECURE="1"))["realms"]


def test_ca_file_verifies_it(tls_engine: tuple[EngineServer, Path]) -> None:
    server, cert = tls_engine
    assert answer(realms(server, RHEVM_CA_FILE=str(cert)))["realms"]
