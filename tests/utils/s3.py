"""A real S3-compatible HTTP server for the tests of the S3 blob store (worker/relay/blobs.py).

moto's server (``moto[server]``, the ``test`` extra) stands in for MinIO or AWS S3: one subprocess per test
process (pytest-xdist runs several), on a free port of 127.0.0.1, started on first use and stopped at the end
of the session. Our code talks to it with boto3 over real HTTP, as it would to MinIO; nothing is patched.

Fixtures (loaded with ``tests.utils.services`` by tests/conftest.py):

* ``s3_endpoint`` (session): the server's URL, e.g. ``http://127.0.0.1:40123``.
* ``s3_bucket``: a fresh bucket on it for one test (name returned), so tests never see each other's objects.
* ``s3_settings(endpoint, bucket)``: the settings overrides that point nianbao at that bucket.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

CI = bool(os.environ.get("CI"))
ACCESS_KEY, SECRET_KEY, REGION = "nianbao-test", "nianbao-test-secret", "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=1):  # noqa: S310 (our own loopback server)
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def _start(attempts: int = 3, *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``python -m moto.server`` on a free port; another port when the one picked was taken meanwhile."""
    last = ""
    for _ in range(attempts):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60  # its imports take a few seconds on a loaded machine
        while time.monotonic() < deadline and proc.poll() is None:
            if _answers(url):
                return proc, url
            time.sleep(0.1)
        err = b""
        with contextlib.suppress(Exception):
            proc.kill()
            err = proc.communicate(timeout=10)[1]
        last = err.decode(errors="replace")[-2000:]
    raise RuntimeError(f"the moto S3 server did not start: {last}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    from tests.utils.services import stop_process

    stop_process(proc)
    if proc.stderr is not None:
        proc.stderr.close()


@contextlib.contextmanager
def server_checking_credentials(bucket: str) -> Iterator[str]:
    """A moto S3 server of its own that checks every request's credentials (moto's IAM mode: the keys of
    ``s3_settings`` are unknown to it, as wrong keys are to MinIO or AWS), holding ``bucket``."""
    # the one request let through unchecked creates the bucket; every later one must be signed by a known key
    proc, url = _start(env=dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="1"))
    try:
        client(url).create_bucket(Bucket=bucket)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server for this test process (see module doc); skipped without ``moto[server]`` outside CI."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        if CI:
            raise
        pytest.skip(f"the S3 blob store's tests need the test extra (boto3, moto[server]): {exc}")
    # the tests give credentials explicitly; should one not, boto3 must never ask an instance-metadata
    # address off this machine for them (worker subprocesses inherit this)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    proc, url = _start()
    try:
        yield url
    finally:
        _stop(proc)


def client(endpoint: str) -> Any:
    """A boto3 client of the test server (the test's own view of the bucket, apart from nianbao's)."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY)  # fmt: skip


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket for this test."""
    name = f"nb-test-{uuid.uuid4().hex[:12]}"
    client(s3_endpoint).create_bucket(Bucket=name)
    return name


def s3_settings(endpoint: str, bucket: str, **overrides: Any) -> dict[str, Any]:
    """Settings that put the relay's bytes into ``bucket`` on ``endpoint``."""
    values: dict[str, Any] = {"blob_store": "s3", "s3_endpoint_url": endpoint, "s3_bucket": bucket,
                              "s3_region": REGION, "s3_access_key": ACCESS_KEY, "s3_secret_key": SECRET_KEY}  # fmt: skip
    values.update(overrides)
    return values


def object_keys(endpoint: str, bucket: str) -> list[str]:
    """Every key in ``bucket``."""
    page = client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(str(item["Key"]) for item in page.get("Contents", []))
