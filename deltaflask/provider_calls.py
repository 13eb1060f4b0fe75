"""Every call a frontend makes to a driver, guarded: timed and counted in the
metrics, idempotent reads retried with back-off when the provider throttles,
and a circuit breaker per driver and provider so that an endpoint that times
out or stays unavailable fails fast (503 with ``Retry-After``) instead of
tying up every worker.

A frontend gets a :class:`GuardedDriver` from
:func:`deltaflask.context.current_driver`; calls a driver makes to itself are
not guarded again. Time-outs of the calls themselves are the SDK's: every
driver applies the ``PROVIDER_TIMEOUT`` setting to its SDK client, which then
raises :class:`~deltaflask.errors.ProviderTimeout` (504).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import request

from deltaflask.drivers import BaseDriver
from deltaflask.drivers.compute_ops import ComputeOperations
from deltaflask.drivers.network_ops import NetworkOperations
from deltaflask.drivers.storage_ops import StorageOperations
from deltaflask.errors import DeltaflaskError
from deltaflask.errors import ProviderError
from deltaflask.errors import ProviderTimeout
from deltaflask.errors import ProviderUnavailable

#: operations whose names start with these change something: never retried
WRITE_VERBS = (
    "create_",
    "destroy_",
    "delete_",
    "start_",
    "stop_",
    "reboot_",
    "run_on_",
    "associate_",
    "disassociate_",
    "attach_",
    "detach_",
    "lb_",
    "init_",
    "upload_",
    "complete_",
    "abort_",
    "update_",
)
#: the failures that hold a worker or say the provider is overloaded: they
#: count toward opening the circuit (a 502, an error answered or a refused
#: connection, comes back at once and counts neither way)
PROVIDER_FAILURES = (ProviderUnavailable, ProviderTimeout)
#: the failure worth another try of a read: throttled or unavailable (a
#: time-out is not retried: it already held the worker for the whole limit)
RETRIABLE = (ProviderUnavailable,)
#: the most (driver, provider) circuits one process remembers
MAX_CIRCUITS = 512


#: what else asks the provider: the credentials check and profile listings
ALSO_GUARDED = ("valid_credentials", "hardware_profiles", "hardware_profile")


def contract_operations() -> frozenset[str]:
    """The names of the calls that reach the provider: the public methods of
    the contract's operation families and :data:`ALSO_GUARDED`."""
    families = (ComputeOperations, StorageOperations, NetworkOperations)
    public = (
        name
        for family in families
        for name, value in vars(family).items()
        if callable(value) and not name.startswith("_")
    )
    return frozenset((*public, *ALSO_GUARDED))


OPERATIONS = contract_operations()


def is_read(operation: str) -> bool:
    """Whether ``operation`` only reads (so may be retried)."""
    return not operation.startswith(WRITE_VERBS)


@dataclass(frozen=True)
class CallPolicy:
    """How provider calls are retried and when a circuit opens (settings
    ``PROVIDER_RETRIES``, ``PROVIDER_BACKOFF``, ``BREAKER_THRESHOLD``,
    ``BREAKER_COOLDOWN``)."""

    retries: int = 2
    backoff: float = 0.2
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0
    #: a provider asking to wait longer than this gets its 503 passed on
    max_wait: float = 2.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before try ``attempt + 1`` (exponential, with
        jitter, or the provider's ``Retry-After`` when it asked for longer);
        ``None`` when that is over :attr:`max_wait`: no retry then."""
        wait = self.backoff * (2**attempt) * (0.5 + random.random() / 2)
        wait = max(wait, retry_after or 0.0)
        return wait if wait <= self.max_wait else None


class Circuit:
    """The breaker of one (driver, provider): opens after ``threshold``
    provider failures in a row, then lets one trial call through per
    ``cooldown``; a success closes it."""

    def __init__(self, policy: CallPolicy) -> None:
        self.policy = policy
        self.failures = 0
        self.open_until = 0.0
        self._lock = threading.Lock()

    def admit(self) -> float:
        """Seconds until the circuit lets a call through (0: now). Past the
        cool-down, the first caller gets the trial and the others wait for
        the next one."""
        with self._lock:
            if self.failures < self.policy.breaker_threshold:
                return 0.0
            now = time.monotonic()
            if now < self.open_until:
                return self.open_until - now
            self.open_until = now + self.policy.breaker_cooldown
            return 0.0

    def succeeded(self) -> bool:
        """Close the circuit; whether it was open."""
        with self._lock:
            was_open = self.failures >= self.policy.breaker_threshold
            self.failures = 0
            return was_open

    def failed(self) -> bool:
        """Count a provider failure; whether the circuit opened now."""
        with self._lock:
            self.failures += 1
            if self.failures != self.policy.breaker_threshold:
                return False
            self.open_until = time.monotonic() + self.policy.breaker_cooldown
            return True

    @property
    def is_open(self) -> bool:
        return self.failures >= self.policy.breaker_threshold


#: ``(driver, operation, outcome, seconds)`` -> None, for the metrics
CallObserver = Callable[[str, str, str, float], None]
#: ``(direction, bytes)`` -> None, for the metrics
ByteObserver = Callable[[str, int], None]
#: ``(driver, opened)`` -> None: a circuit opened (``True``) or closed
CircuitObserver = Callable[[str, bool], None]


class ProviderCalls:
    """The guard of one application: its policy, circuits and observers."""

    def __init__(
        self,
        policy: CallPolicy,
        on_call: CallObserver | None = None,
        on_bytes: ByteObserver | None = None,
        on_circuit: CircuitObserver | None = None,
    ) -> None:
        self.policy = policy
        self.on_call = on_call
        self.on_bytes = on_bytes
        self.on_circuit = on_circuit
        self._circuits: OrderedDict[tuple[str, str], Circuit] = OrderedDict()
        self._lock = threading.Lock()

    def circuit(self, driver: str, provider: str | None) -> Circuit:
        """The circuit of ``driver`` at ``provider`` (the least recently used
        one is forgotten past :data:`MAX_CIRCUITS`)."""
        key = (driver, provider or "")
        with self._lock:
            found = self._circuits.get(key)
            if found is None:
                found = self._circuits[key] = Circuit(self.policy)
                if len(self._circuits) > MAX_CIRCUITS:
                    (old_driver, _), old = self._circuits.popitem(last=False)
                    if old.is_open:
                        self._circuit_changed(old_driver, False)
            else:
                self._circuits.move_to_end(key)
            return found

    def _circuit_changed(self, driver: str, opened: bool) -> None:
        if self.on_circuit is not None:
            self.on_circuit(driver, opened)

    def open_circuits(self) -> dict[str, int]:
        """Driver name -> how many of its circuits are open."""
        with self._lock:
            circuits = list(self._circuits.items())
        counts: dict[str, int] = {}
        for (driver, _provider), circuit in circuits:
            if circuit.is_open:
                counts[driver] = counts.get(driver, 0) + 1
        return counts

    def call(
        self,
        driver: BaseDriver,
        name: str,
        operation: str,
        args: tuple,
        kwargs: dict,
    ) -> Any:
        """Call ``driver.<operation>(*args, **kwargs)`` under the guard
        (``name``: the driver's registered name)."""
        circuit = self.circuit(name, driver.provider)
        method = getattr(driver, operation)
        attempts = 1 + (self.policy.retries if is_read(operation) else 0)
        for attempt in range(attempts):
            wait = circuit.admit()
            if wait:
                self._observe(name, operation, "rejected", 0.0)
                raise ProviderUnavailable(
                    f"The {name} provider failed {circuit.failures} times in a row: "
                    f"not calling it again for {wait:.0f} s",
                    retry_after=max(1, round(wait)),
                )
            started = time.perf_counter()
            try:
                result = method(*args, **kwargs)
            except PROVIDER_FAILURES as exc:
                if circuit.failed():
                    self._circuit_changed(name, True)
                self._observe(name, operation, outcome(exc), started)
                if attempt + 1 < attempts and isinstance(exc, RETRIABLE):
                    delay = self.policy.delay(
                        attempt, getattr(exc, "retry_after", None)
                    )
                    if delay is not None:
                        time.sleep(delay)
                        continue
                raise
            except ProviderError as exc:
                self._observe(name, operation, outcome(exc), started)
                raise
            except DeltaflaskError as exc:
                self._closed(circuit, name)  # the provider answered: a request error
                self._observe(name, operation, outcome(exc), started)
                raise
            except Exception:
                self._observe(name, operation, "error", started)
                raise
            self._closed(circuit, name)
            self._observe(name, operation, "ok", started)
            return self._counted(operation, result, args)
        raise AssertionError("unreachable: the last attempt raises or returns")

    def _closed(self, circuit: Circuit, driver: str) -> None:
        if circuit.succeeded():
            self._circuit_changed(driver, False)

    def _observe(
        self, driver: str, operation: str, result: str, started: float
    ) -> None:
        if self.on_call is not None:
            elapsed = time.perf_counter() - started if started else 0.0
            self.on_call(driver, operation, result, elapsed)

    def _counted(self, operation: str, result: Any, args: tuple) -> Any:
        """Count blob bytes: stored (what the driver reports), sent (as the
        chunks go, or the whole file handed to the server)."""
        if self.on_bytes is None or result is None:
            return result
        if operation == "create_blob":
            self.on_bytes("in", result.content_length or 0)
        elif operation == "upload_blob_segment":
            self.on_bytes("in", _request_length())
        elif operation == "blob_data":
            return CountedChunks(result, self.on_bytes)
        elif operation == "blob_file":
            self.on_bytes("out", os.fstat(result.fileno()).st_size)
        return result


def outcome(error: Exception) -> str:
    """The metrics' name for how a call failed."""
    if isinstance(error, ProviderTimeout):
        return "timeout"
    if isinstance(error, ProviderUnavailable):
        return "unavailable"
    if isinstance(error, ProviderError):
        return "provider_error"
    if isinstance(error, DeltaflaskError) and error.status < 500:
        return "client_error"
    return "error"


def _request_length() -> int:
    return request.content_length or 0


class CountedChunks:
    """A blob's chunks, counted as they are sent."""

    def __init__(self, chunks: Any, on_bytes: ByteObserver) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._source = chunks
        self._on_bytes = on_bytes

    def __iter__(self) -> CountedChunks:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._chunks)
        self._on_bytes("out", len(chunk))
        return chunk

    def close(self) -> None:
        """Close the driver's stream (the WSGI server calls this)."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


class GuardedDriver:
    """A driver as frontends see it: contract operations go through
    :class:`ProviderCalls`; everything else is the driver's own."""

    __slots__ = ("_calls", "_driver", "_name")

    def __init__(self, driver: BaseDriver, name: str, calls: ProviderCalls) -> None:
        self._driver = driver
        self._name = name
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._driver, name)
        if name not in OPERATIONS:
            return value
        calls, driver, driver_name = self._calls, self._driver, self._name

        def guarded(*args: Any, **kwargs: Any) -> Any:
            return calls.call(driver, driver_name, name, args, kwargs)

        return guarded

    def __repr__(self) -> str:
        return f"GuardedDriver({self._driver!r})"
