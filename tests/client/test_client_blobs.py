"""Large blobs through the library against the mock under gunicorn: a
256 MiB segmented upload interrupted and resumed, streams of unknown size,
an upload the server forgot, and streamed downloads."""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from deltaflask.client import Bucket
from deltaflask.client import Client
from deltaflask.client.segmented import SegmentedUpload
from deltaflask.client.segmented import StateFile
from deltaflask.client.segmented import state_path
from tests.client.support import Api
from tests.client.support import make_file
from tests.client.support import sha256_of

MIB = 1024 * 1024
PART = 16 * MIB


class Interrupted(Exception):
    """Raised from the progress callback, as a user's Ctrl-C would stop it."""


@pytest.fixture
def api(gunicorn_api: Api) -> Iterator[Client]:
    with gunicorn_api.client() as client:
        yield client


@pytest.fixture
def bucket(api: Client, request: pytest.FixtureRequest) -> Bucket:
    return api.buckets.create(name=request.node.name.replace("_", "-")[:60])


def test_256_mib_segmented_upload_interrupted_and_resumed(
    bucket: Bucket, gunicorn_api: Api, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    expected = make_file(source, 256)
    state_dir = tmp_path / "state"
    options = {"part_size": PART, "workers": 4, "state_dir": state_dir}

    def stop_halfway(done: int, total: int) -> None:
        assert total == 256 * MIB
        if done >= 100 * MIB:
            raise Interrupted

    with pytest.raises(Interrupted):
        bucket.upload("big.bin", source, progress=stop_halfway, **options)
    (saved,) = state_dir.iterdir()
    assert saved.stat().st_mode & 0o777 == 0o600
    recorded = json.loads(saved.read_text())["parts"]
    assert 0 < len(recorded) < 16, recorded

    reports: list[int] = []
    blob = bucket.upload(
        "big.bin", source, progress=lambda done, total: reports.append(done), **options
    )
    # the resumed run starts from the parts recorded and sends only the rest
    assert reports[0] == len(recorded) * PART
    assert reports[-1] == 256 * MIB
    assert blob.size == 256 * MIB
    assert list(state_dir.iterdir()) == []
    copy = tmp_path / "copy.bin"
    seen: list[int] = []
    assert (
        bucket.blob("big.bin").download(copy, lambda d, t: seen.append(d)) == 256 * MIB
    )
    assert seen[-1] == 256 * MIB
    assert sha256_of(copy) == expected
    # nothing of the upload is left on the server's disk
    assert list((gunicorn_api.home / "mock" / "segmented").iterdir()) == []


def test_an_upload_the_server_forgot_starts_over(
    api: Client, bucket: Bucket, tmp_path: Path
) -> None:
    source = tmp_path / "twenty.bin"
    expected = make_file(source, 20)
    state_dir = tmp_path / "state"
    url = bucket.blob_url("twenty.bin")
    upload = SegmentedUpload(api.session, url, part_size=5 * MIB, workers=2)

    def stop_at_8_mib(done: int, total: int) -> None:
        if done >= 8 * MIB:
            raise Interrupted

    with pytest.raises(Interrupted):
        upload.upload_file(
            source, stop_at_8_mib, StateFile(state_path(state_dir, url, source))
        )
    (saved,) = state_dir.iterdir()
    upload.abort(json.loads(saved.read_text())["upload_id"])
    blob = bucket.upload(
        "twenty.bin", source, threshold=MIB, part_size=5 * MIB, state_dir=state_dir
    )
    assert blob.size == 20 * MIB
    copy = tmp_path / "copy.bin"
    bucket.blob("twenty.bin").download(copy)
    assert sha256_of(copy) == expected


def test_a_file_changed_since_the_interruption_is_sent_anew(
    gunicorn_api: Api, bucket: Bucket, tmp_path: Path
) -> None:
    source = tmp_path / "changing.bin"
    make_file(source, 20)
    options = {"threshold": MIB, "part_size": 5 * MIB, "workers": 1}
    state_dir = tmp_path / "state"

    def stop_early(done: int, total: int) -> None:
        if done >= 6 * MIB:
            raise Interrupted

    with pytest.raises(Interrupted):
        bucket.upload(
            "changing.bin", source, progress=stop_early, state_dir=state_dir, **options
        )
    expected = make_file(source, 12)  # rewritten: other size, other bytes
    reports: list[int] = []
    blob = bucket.upload(
        "changing.bin",
        source,
        state_dir=state_dir,
        progress=lambda done, total: reports.append(done),
        **options,
    )
    assert reports[0] == 0 and blob.size == 12 * MIB
    copy = tmp_path / "copy.bin"
    bucket.blob("changing.bin").download(copy)
    assert sha256_of(copy) == expected
    # the interrupted upload was aborted, not left behind on the server
    assert list((gunicorn_api.home / "mock" / "segmented").iterdir()) == []


class PipeLike(io.RawIOBase):
    """A readable stream that cannot seek or tell its size (a pipe)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 64 * 1024))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_streams_of_unknown_size_go_whole_or_in_parts(bucket: Bucket) -> None:
    data = os.urandom(11 * MIB + 3)
    large = bucket.upload(
        "streamed-large",
        io.BufferedReader(PipeLike(data)),
        threshold=4 * MIB,
        part_size=5 * MIB,
    )
    small = bucket.upload("streamed-small", io.BufferedReader(PipeLike(data[:1000])))
    assert (large.size, small.size) == (len(data), 1000)
    out = io.BytesIO()
    assert bucket.blob("streamed-large").download(out) == len(data)
    assert out.getvalue() == data
    assert bucket.blob("streamed-small").content() == data[:1000]


class CuttingProxy:
    """A loopback TCP proxy that cuts the first connection whose request
    passes ``after`` bytes (a network that drops a large part), once."""

    def __init__(self, upstream_port: int, after: int) -> None:
        self.upstream_port = upstream_port
        self.after = after
        self.cuts = 0
        self._lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            for source, target, cutting in (
                (client, upstream, True),
                (upstream, client, False),
            ):
                threading.Thread(
                    target=self._pump, args=(source, target, cutting), daemon=True
                ).start()

    def _should_cut(self, sent: int) -> bool:
        with self._lock:
            if sent < self.after or self.cuts:
                return False
            self.cuts += 1
            return True

    def _pump(
        self, source: socket.socket, target: socket.socket, cutting: bool
    ) -> None:
        sent = 0
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
                sent += len(chunk)
                if cutting and self._should_cut(sent):
                    break
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self.listener.close()


def test_a_part_cut_off_by_the_network_is_sent_again(
    gunicorn_api: Api, tmp_path: Path
) -> None:
    source = tmp_path / "thirty.bin"
    expected = make_file(source, 30)
    port = int(gunicorn_api.url.rsplit(":", 1)[1].split("/")[0])
    # the first part is cut off 3 MiB into its 5
    proxy = CuttingProxy(port, after=3 * MIB)
    reports: list[int] = []
    try:
        with Client(
            f"http://127.0.0.1:{proxy.port}/api",
            gunicorn_api.user,
            gunicorn_api.password,
        ) as api:
            bucket = api.buckets.create(name="cut-parts")
            blob = bucket.upload(
                "thirty.bin",
                source,
                threshold=MIB,
                part_size=5 * MIB,
                workers=1,
                progress=lambda done, total: reports.append(done),
                state_dir=tmp_path / "state",
            )
    finally:
        proxy.close()
    assert proxy.cuts == 1
    assert any(later < earlier for earlier, later in pairwise(reports)), (
        "no part was retried"
    )
    assert blob.size == 30 * MIB
    copy = tmp_path / "copy.bin"
    with gunicorn_api.client() as direct:
        direct.buckets.get("cut-parts").blob("thirty.bin").download(copy)
    assert sha256_of(copy) == expected
