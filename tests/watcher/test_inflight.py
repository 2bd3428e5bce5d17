"""The in-flight record in the broker (real valkey/Redis): claim once per version, shared, expiring."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from watcher import FileState, RedisInflight, inflight_key


@pytest.fixture
def client(broker_url: str) -> Iterator[Any]:
    conn = Connection(str(broker_url))
    yield conn.default_channel.client
    conn.release()


@pytest.fixture
def path(tmp_path: Path, client: Any) -> Iterator[Path]:
    p = tmp_path / "inbox" / "a.txt"
    yield p
    client.delete(inflight_key(p))


V1 = FileState(size=10, mtime_ns=1)
V2 = FileState(size=12, mtime_ns=2)


def test_inflight_claim_once_per_version_across_registries(client: Any, path: Path) -> None:
    first, second = RedisInflight(client, 60), RedisInflight(client, 60)  # two watchers
    assert first.claim(path, V1)
    assert not second.claim(path, V1)
    assert not first.claim(path, V1)
    assert second.is_inflight(path, V1)
    # the file was replaced by another version before a worker claimed it
    assert second.claim(path, V2)
    assert not first.claim(path, V2)
    assert not first.is_inflight(path, V1)


def test_inflight_release_allows_new_claim(client: Any, path: Path) -> None:
    reg = RedisInflight(client, 60)
    assert reg.claim(path, V1)
    reg.release(path)
    assert not reg.is_inflight(path, V1)
    assert reg.claim(path, V1)


def test_inflight_record_expires(client: Any, path: Path) -> None:
    reg = RedisInflight(client, 1)
    assert reg.claim(path, V1)
    assert 0 < client.ttl(inflight_key(path)) <= 1
    time.sleep(1.2)
    assert reg.claim(path, V1)


def test_inflight_key_is_sha1_of_path(path: Path) -> None:
    key = inflight_key(path)
    assert key.startswith("nianbao:inflight:") and len(key) == len("nianbao:inflight:") + 40
    assert inflight_key(path) == key != inflight_key(path.with_name("b.txt"))
