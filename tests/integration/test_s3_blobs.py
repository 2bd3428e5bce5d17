"""The S3 blob store (``blob_store = "s3"``, worker/relay/blobs.py) against a real S3-compatible HTTP server
(moto's server in a subprocess, tests/utils/s3.py): put, get, delete, the sha256 check, the start-up check,
the garbage sweep. tests/integration/test_relay.py and tests/faults/test_relay_workers.py run the relay on it.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.s3 import client, object_keys, s3_settings, server_checking_credentials
from tests.utils.services import make_settings, migrated, pg_base_url, pg_schema, settings_env
from worker.errors import ConfigError, RetryableError
from worker.relay import blobs, check
from worker.settings import Settings, SettingsInvalid
from worker.store import relay_store
from worker.store.db import session_scope

pytestmark = [pytest.mark.integration]

DATA = "二〇二三年政府信息公开工作年度报告".encode() * 100
SHA = hashlib.sha256(DATA).hexdigest()


def _settings(tmp_path: Path, database_url: str, endpoint: str, bucket: str, **overrides: object) -> Settings:
    return make_settings(tmp_path, database_url, file_store="database", **s3_settings(endpoint, bucket, **overrides))


@pytest.fixture
def store(tmp_path: Path, s3_endpoint: str, s3_bucket: str) -> blobs.S3Blobs:
    return blobs.s3_store(_settings(tmp_path, "postgresql://unused", s3_endpoint, s3_bucket))


def test_put_stores_once_under_prefix_and_sha256(store: blobs.S3Blobs, s3_endpoint: str, s3_bucket: str) -> None:
    store.put(SHA, DATA)
    assert object_keys(s3_endpoint, s3_bucket) == [f"nianbao/blobs/{SHA}"]
    assert store.get(SHA) == DATA
    # a second put of the same content does not write the object again (marked here behind the store's back)
    raw = client(s3_endpoint)
    raw.put_object(Bucket=s3_bucket, Key=f"nianbao/blobs/{SHA}", Body=DATA, Metadata={"marker": "first"})
    store.put(SHA, DATA)
    head = raw.head_object(Bucket=s3_bucket, Key=f"nianbao/blobs/{SHA}")
    assert head["Metadata"] == {"marker": "first"}
    assert object_keys(s3_endpoint, s3_bucket) == [f"nianbao/blobs/{SHA}"]


def test_a_truncated_object_is_written_again(store: blobs.S3Blobs, s3_endpoint: str, s3_bucket: str) -> None:
    client(s3_endpoint).put_object(Bucket=s3_bucket, Key=f"nianbao/blobs/{SHA}", Body=DATA[:100])
    store.put(SHA, DATA)
    assert store.get(SHA) == DATA


def test_get_of_a_missing_key_is_none_and_delete_removes(store: blobs.S3Blobs, s3_endpoint: str,
                                                         s3_bucket: str) -> None:  # fmt: skip
    assert store.get(SHA) is None
    store.put(SHA, DATA)
    store.delete(SHA)
    assert store.get(SHA) is None and object_keys(s3_endpoint, s3_bucket) == []
    store.delete(SHA)  # deleting what is not there is no error


def test_bytes_that_do_not_hash_to_their_key_are_refused(store: blobs.S3Blobs, s3_endpoint: str,
                                                         s3_bucket: str) -> None:  # fmt: skip
    tampered = DATA[:-1] + b"!"
    client(s3_endpoint).put_object(Bucket=s3_bucket, Key=f"nianbao/blobs/{SHA}", Body=tampered)
    with pytest.raises(blobs.BlobCorrupt, match=SHA[:12]) as caught:
        store.get(SHA)
    assert isinstance(caught.value, RetryableError)  # the task retries; the bytes are never ingested


def test_a_missing_bucket_or_endpoint_is_a_clear_error(tmp_path: Path, s3_endpoint: str) -> None:
    missing = blobs.s3_store(_settings(tmp_path, "postgresql://unused", s3_endpoint, "no-such-bucket"))
    with pytest.raises(ConfigError) as caught:
        missing.check()
    assert str(caught.value) == f"对象存储 s3://no-such-bucket/nianbao/blobs/（{s3_endpoint}）不可用：存储桶不存在（请先创建）"

    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    down = blobs.s3_store(_settings(tmp_path, "postgresql://unused", closed, "nianbao"))
    with pytest.raises(ConfigError, match=f"对象存储 s3://nianbao/nianbao/blobs/（{closed}）不可用：无法连接"):
        down.check()
    with pytest.raises(blobs.BlobStoreUnavailable, match=closed):  # a task meeting it retries
        down.get(SHA)


def test_keys_the_store_refuses_are_a_clear_error_and_a_retry_not_a_lost_file(tmp_path: Path, s3_endpoint: str) -> None:
    """Wrong or revoked keys: the start-up check names the keys to check (zh-CN); a task that meets the
    refusal later gets ``BlobStoreUnavailable``, which is retried, never a missing file or a quarantine."""
    bucket = "nb-test-denied"
    with server_checking_credentials(bucket) as endpoint:
        denied = blobs.s3_store(_settings(tmp_path, "postgresql://unused", endpoint, bucket))
        with pytest.raises(ConfigError) as caught:
            denied.check()
        assert str(caught.value) == (
            f"对象存储 s3://{bucket}/nianbao/blobs/（{endpoint}）不可用："
            "无权访问（检查 s3_access_key / s3_secret_key 或 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY）"
        )
        for action in (lambda: denied.get(SHA), lambda: denied.put(SHA, DATA), lambda: denied.delete(SHA)):
            with pytest.raises(blobs.BlobStoreUnavailable, match=f"s3://{bucket}/") as refused:
                action()
            assert isinstance(refused.value, RetryableError)


def test_no_credentials_is_a_clear_error(tmp_path: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        monkeypatch.setenv(name, str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup off this machine
    settings = _settings(tmp_path, "postgresql://unused", s3_endpoint, "bucket-without-credentials",
                         s3_access_key=None, s3_secret_key=None)  # fmt: skip
    with pytest.raises(ConfigError, match="不可用：未找到凭据（设置 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"):
        blobs.s3_store(settings).check()


def test_settings_that_cannot_work_are_refused_at_start(tmp_path: Path, s3_endpoint: str, s3_bucket: str) -> None:
    disk = make_settings(tmp_path, "postgresql://unused", **s3_settings(s3_endpoint, s3_bucket))
    with pytest.raises(SettingsInvalid) as caught:
        check(disk)
    assert caught.value.one_line() == '配置错误：blob_store："s3" 需要 file_store = "database"（当前为 "disk"）'
    nobucket = make_settings(tmp_path, "postgresql://unused", file_store="database", blob_store="s3")
    with pytest.raises(SettingsInvalid, match="s3_bucket"):
        blobs.check(nobucket)
    shown = str(_settings(tmp_path, "postgresql://unused", s3_endpoint, s3_bucket).redacted())
    assert "nianbao-test-secret" not in shown and "nianbao-test-secret" not in repr(blobs.S3Config.from_settings(disk))


def test_without_boto3_the_s3_store_says_what_to_install(tmp_path: Path, s3_endpoint: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "boto3", None)  # as on a default install: `import boto3` fails
    settings = _settings(tmp_path, "postgresql://unused", s3_endpoint, "bucket-of-an-install-without-boto3")
    with pytest.raises(ConfigError, match=r'blob_store = "s3" 需要 boto3：请安装 pip install "nianbao\[s3\]"'):
        blobs.check(settings)


def test_nianbao_worker_names_the_bucket_it_cannot_reach(tmp_path: Path, s3_endpoint: str) -> None:
    with pg_schema(pg_base_url()) as url:
        settings = _settings(tmp_path, url, s3_endpoint, "no-such-bucket")
        exe = str(Path(sys.executable).with_name("nianbao"))
        run = subprocess.run([exe, "worker"], env=settings_env(settings), capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1] == (
        f"ConfigError: 对象存储 s3://no-such-bucket/nianbao/blobs/（{s3_endpoint}）不可用：存储桶不存在（请先创建）"
    )
    assert "Traceback" not in run.stderr and "nianbao-test-secret" not in run.stderr + run.stdout


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema(pg_base_url()) as url:
        yield url


def test_the_sweep_removes_objects_no_submission_needs(tmp_path: Path, pg_url: str, s3_endpoint: str,
                                                      s3_bucket: str) -> None:  # fmt: skip
    settings = migrated(_settings(tmp_path, pg_url, s3_endpoint, s3_bucket))
    store = blobs.s3_store(settings)
    needed, leftover = b"still queued", b"put, then the inbox side crashed before its commit"
    for data in (needed, leftover):
        store.put(hashlib.sha256(data).hexdigest(), data)
    client(s3_endpoint).put_object(Bucket=s3_bucket, Key="nianbao/blobs/README", Body=b"not ours")
    with session_scope(settings) as session:
        relay_store.add_submission(session, sha256=hashlib.sha256(needed).hexdigest(), name="a.txt", name_raw=None,
                                   original_path="/inbox/a.txt", size=len(needed), origin="here",
                                   held_path="/held/a.txt")  # fmt: skip
    assert blobs.collect_garbage(settings) == 0  # both younger than the grace period
    assert blobs.collect_garbage(settings, older_than=0) == 1
    assert object_keys(s3_endpoint, s3_bucket) == sorted(
        ["nianbao/blobs/README", f"nianbao/blobs/{hashlib.sha256(needed).hexdigest()}"]
    )


def test_a_delete_waits_for_a_hand_over_of_the_same_content(tmp_path: Path, pg_url: str, s3_endpoint: str,
                                                            s3_bucket: str) -> None:  # fmt: skip
    """The race the content lock closes: the last placement of a content deletes its object while the inbox
    side hands the same content over again (the put finds the object there and does not write it)."""
    import threading

    settings = migrated(_settings(tmp_path, pg_url, s3_endpoint, s3_bucket))
    store = blobs.s3_store(settings)
    store.put(SHA, DATA)  # an earlier submission's object, about to be released
    released: list[bool] = []

    def release() -> None:
        with session_scope(settings) as session:
            released.append(blobs.release(session, store, SHA))

    with session_scope(settings) as handover:  # what inbox_side._hand_over does, held open here
        relay_store.lock_content(handover, SHA)
        store.put(SHA, DATA)
        deleter = threading.Thread(target=release)
        deleter.start()
        deleter.join(1.0)
        assert deleter.is_alive() and released == []  # waits for the hand-over's commit
        relay_store.add_submission(handover, sha256=SHA, name="a.txt", name_raw=None, original_path="/inbox/a.txt",
                                   size=len(DATA), origin="here", held_path="/held/a.txt")  # fmt: skip
    deleter.join(10)
    assert released == [False]  # it saw the new submission: the object stays
    assert store.get(SHA) == DATA


def test_health_checks_the_file_store_of_workers_on_other_machines(tmp_path: Path, s3_endpoint: str,
                                                                   s3_bucket: str) -> None:  # fmt: skip
    from worker.cli.ops import check_health

    with pg_schema(pg_base_url()) as url:
        ok, detail = check_health(_settings(tmp_path, url, s3_endpoint, s3_bucket))["file_store"]
        assert ok and detail == f"转交文件的内容存于对象存储 s3://{s3_bucket}/nianbao/blobs/（{s3_endpoint}）"
        ok, detail = check_health(_settings(tmp_path, url, s3_endpoint, "no-such-bucket"))["file_store"]
        assert not ok and detail.endswith("不可用：存储桶不存在（请先创建）")
    sqlite = make_settings(tmp_path, f"sqlite:///{tmp_path / 'nb.sqlite'}", file_store="database")
    ok, detail = check_health(sqlite)["file_store"]
    assert not ok and detail.startswith('file_store = "database" 需要 PostgreSQL 数据库')
    assert "file_store" not in check_health(make_settings(tmp_path, f"sqlite:///{tmp_path / 'nb.sqlite'}"))
