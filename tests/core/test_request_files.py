"""Every file a request's form parser opens is closed with the request."""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest
from flask.testing import FlaskClient


def test_an_unterminated_multipart_body_leaves_no_file_open(
    client: FlaskClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Werkzeug drops the half-read part of a multipart body without its
    closing boundary (spooled to a real file above 500 KB) unclosed; the
    request closes it, so the garbage collector finds no open file."""
    body = (
        b'--fuzz\r\nContent-Disposition: form-data; name="a"; filename="x"\r\n\r\n'
        + b"x" * (700 * 1024)
        + b"\r\n"
    )
    headers = {**auth, "Content-Type": "multipart/form-data; boundary=fuzz"}
    unclosed: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unclosed.append)
    for path in ("/api/addresses/x/associate", "/api/addresses", "/api/instances"):
        answer = client.post(path, data=body, headers=headers)
        assert answer.status_code < 500, answer.get_data(as_text=True)
    gc.collect()
    assert not [str(hook.exc_value) for hook in unclosed]
