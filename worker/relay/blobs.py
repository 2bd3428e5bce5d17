"""Where the relay keeps the bytes of handed-over files, once per content, keyed by sha256 (``blob_store``).

* ``DatabaseBlobs`` (``blob_store = "database"``, the default): the PostgreSQL table ``blob``; every write is
  part of the caller's transaction (the bytes and their submission commit together).
* ``S3Blobs`` (``blob_store = "s3"``): an S3-compatible object store (AWS S3, MinIO ...), object key
  ``<s3_prefix><sha256>`` in ``s3_bucket``. Only the bytes move there: submissions and claims stay in
  PostgreSQL. An object store takes no part in a database transaction, so the order is what keeps it safe:
  the object is put before the submission that names it commits, and deleted only after the last submission
  of that content is placed. Between the two, ``relay_store.lock_content`` (a PostgreSQL advisory lock per
  content, taken by the hand-over before it puts and by whoever deletes) keeps a delete from racing a new
  submission of the same content. A crash between a put and its commit, or between a placement and the
  delete, leaves an object that nothing references: harmless garbage, removed by ``collect_garbage`` (the
  inbox side's sweep).

Fetched bytes are checked against their sha256 (``BlobCorrupt``). boto3 is an optional dependency
(``pip install 'nianbao[s3]'``), imported only when ``blob_store = "s3"``.
See docs/pipeline.md, "Workers on other machines".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from worker.errors import ConfigError, RetryableError
from worker.logging import get_logger
from worker.settings import Settings, SettingsInvalid
from worker.store import relay_store
from worker.store.db import session_scope
from worker.store.models import utcnow
from worker.store.relay_models import Blob

log = get_logger(__name__)

BLOB: sa.Table = Blob.__table__  # type: ignore[attr-defined]
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
GARBAGE_GRACE_S = 300.0  # an unreferenced object younger than this is left alone by collect_garbage
GARBAGE_BATCH = 1000  # objects looked at per collect_garbage (one listing page)


class BlobStoreUnavailable(RetryableError):
    """The object store did not answer or refused a request; trying again later may work."""


class BlobCorrupt(RetryableError):
    """Bytes fetched under a sha256 do not hash to it."""


def verified(sha256: str, data: bytes) -> bytes:
    """``data`` when it hashes to ``sha256``.

    Raises:
        BlobCorrupt: It does not.
    """
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise BlobCorrupt(f"the stored bytes of {sha256[:12]} hash to {actual[:12]} ({len(data)} bytes)")
    return data


class BlobStore(ABC):
    """Bytes by sha256: ``put`` is idempotent (a stored content is not written again), ``get`` checks the
    bytes against the key, ``delete`` of a missing key is no error."""

    #: True when writes are part of the caller's database transaction (so a delete may go in the same
    #: transaction as the placement); False for a store that acts at once (the order is then the caller's).
    in_transaction: bool

    @abstractmethod
    def put(self, sha256: str, data: bytes) -> None:
        """Store ``data`` under ``sha256`` unless that content is stored already."""

    @abstractmethod
    def get(self, sha256: str) -> bytes | None:
        """The bytes of ``sha256`` (checked: ``BlobCorrupt``), or None when nothing is stored under it."""

    @abstractmethod
    def delete(self, sha256: str) -> None:
        """Remove the bytes of ``sha256`` (nothing happens when there are none)."""


class DatabaseBlobs(BlobStore):
    """The ``blob`` table, inside the transaction of ``session`` (the caller commits)."""

    in_transaction = True

    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, sha256: str, data: bytes) -> None:
        stmt = postgresql.insert(BLOB).values(sha256=sha256, size=len(data), data=data, created_at=utcnow())
        self.session.execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))

    def get(self, sha256: str) -> bytes | None:
        data = self.session.execute(sa.select(BLOB.c.data).where(BLOB.c.sha256 == sha256)).scalar_one_or_none()
        return None if data is None else verified(sha256, bytes(data))

    def delete(self, sha256: str) -> None:
        self.session.execute(sa.delete(BLOB).where(BLOB.c.sha256 == sha256))


@dataclass(frozen=True)
class S3Config:
    """What addresses the object store (from the ``s3_*`` settings); ``describe`` is safe to show."""

    bucket: str
    prefix: str
    endpoint_url: str | None
    region: str | None
    access_key: str | None
    secret_key: str | None
    addressing_style: str

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Config:
        secret = settings.s3_secret_key.get_secret_value() if settings.s3_secret_key is not None else None
        return cls(bucket=settings.s3_bucket or "", prefix=settings.s3_prefix, endpoint_url=settings.s3_endpoint_url,
                   region=settings.s3_region, access_key=settings.s3_access_key, secret_key=secret,
                   addressing_style=settings.s3_addressing_style)  # fmt: skip

    def describe(self) -> str:
        """``s3://bucket/prefix`` and the endpoint (no credentials)."""
        from worker.broker import redact_url

        endpoint = redact_url(self.endpoint_url) if self.endpoint_url else "AWS S3"
        return f"s3://{self.bucket}/{self.prefix}（{endpoint}）"

    def __repr__(self) -> str:  # never show the secret key (a dataclass repr would)
        return f"S3Config({self.describe()})"


class S3Blobs(BlobStore):
    """An S3-compatible object store: key ``<prefix><sha256>`` in ``bucket`` (see module doc)."""

    in_transaction = False

    def __init__(self, config: S3Config) -> None:
        self.config = config
        self.client = _client(config)
        from botocore.exceptions import BotoCoreError, ClientError

        self._errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

    def key(self, sha256: str) -> str:
        return f"{self.config.prefix}{sha256}"

    def put(self, sha256: str, data: bytes) -> None:
        try:
            try:
                head = self.client.head_object(Bucket=self.config.bucket, Key=self.key(sha256))
                if head.get("ContentLength") == len(data):
                    return  # content-addressed: already there
            except self._errors as exc:
                if not _not_found(exc):
                    raise
            self.client.put_object(Bucket=self.config.bucket, Key=self.key(sha256), Body=data,
                                   ContentType="application/octet-stream")  # fmt: skip
        except self._errors as exc:
            raise self._unavailable("put", sha256, exc) from exc

    def get(self, sha256: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.config.bucket, Key=self.key(sha256))
            data: bytes = response["Body"].read()
        except self._errors as exc:
            if _not_found(exc):
                return None
            raise self._unavailable("get", sha256, exc) from exc
        return verified(sha256, data)

    def delete(self, sha256: str) -> None:
        try:
            self.client.delete_object(Bucket=self.config.bucket, Key=self.key(sha256))
        except self._errors as exc:
            if not _not_found(exc):
                raise self._unavailable("delete", sha256, exc) from exc

    def check(self) -> None:
        """Raise a ConfigError (zh-CN, naming endpoint and bucket) unless the bucket answers."""
        try:
            self.client.head_bucket(Bucket=self.config.bucket)
        except self._errors as exc:
            from botocore.exceptions import NoCredentialsError

            if isinstance(exc, NoCredentialsError):
                why = "未找到凭据（设置 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY，或 s3_access_key / s3_secret_key）"
            elif _not_found(exc):
                why = "存储桶不存在（请先创建）"
            elif _status(exc) in (401, 403):
                why = "无权访问（检查 s3_access_key / s3_secret_key 或 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY）"
            else:
                why = f"无法连接（{type(exc).__name__}: {exc}）"
            raise ConfigError(f"对象存储 {self.config.describe()}不可用：{why}") from exc

    def listing(self, *, limit: int = GARBAGE_BATCH) -> list[tuple[str, dt.datetime]]:
        """Up to ``limit`` stored contents: (sha256, last modified), from one listing page."""
        try:
            page = self.client.list_objects_v2(Bucket=self.config.bucket, Prefix=self.config.prefix, MaxKeys=limit)
        except self._errors as exc:
            raise self._unavailable("list", "", exc) from exc
        found = []
        for item in page.get("Contents", []):
            sha256 = str(item["Key"])[len(self.config.prefix):]
            if SHA256_HEX.fullmatch(sha256):  # anything else under the prefix is not ours
                found.append((sha256, item["LastModified"]))
        return found

    def _unavailable(self, action: str, sha256: str, exc: Exception) -> BlobStoreUnavailable:
        return BlobStoreUnavailable(f"object store {action} {sha256[:12]} at {self.config.describe()}: "
                                    f"{type(exc).__name__}: {exc}")  # fmt: skip


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _not_found(exc: Exception) -> bool:
    code = str((getattr(exc, "response", None) or {}).get("Error", {}).get("Code", ""))
    return _status(exc) == 404 or code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound")


def _boto3() -> Any:
    try:
        import boto3
    except ImportError as exc:
        raise ConfigError('blob_store = "s3" 需要 boto3：请安装 pip install "nianbao[s3]"（或 pip install boto3）') from exc
    return boto3


def _client(config: S3Config) -> Any:
    boto3 = _boto3()
    from botocore.config import Config

    style = config.addressing_style
    if style == "auto" and config.endpoint_url:
        style = "path"  # MinIO and most self-hosted stores: http://host:9000/bucket/key
    options = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": style},
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region,
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret_key,
        config=options,
    )


@lru_cache(maxsize=4)
def _s3_store(config: S3Config, pid: int) -> S3Blobs:
    """One client per process (``pid``: a forked pool child must not share its parent's connections)."""
    return S3Blobs(config)


def s3_store(settings: Settings) -> S3Blobs:
    """The object store of ``settings`` (``blob_store = "s3"``), one client per process."""
    return _s3_store(S3Config.from_settings(settings), os.getpid())


def store_for(settings: Settings, session: Session) -> BlobStore:
    """The blob store of ``settings``; the database one works in ``session``'s transaction."""
    if settings.blob_store == "s3":
        return s3_store(settings)
    return DatabaseBlobs(session)


def describe(settings: Settings) -> str:
    """The blob store in use, for ``nianbao status`` (zh-CN)."""
    if settings.blob_store == "s3":
        return "对象存储 " + S3Config.from_settings(settings).describe()
    return "PostgreSQL（blob 表）"


def check(settings: Settings) -> None:
    """Refuse an S3 blob store that cannot work: settings that do not fit, no boto3, a bucket that does not
    answer (each a one-line zh-CN error for the CLI user).

    Raises:
        SettingsInvalid: ``blob_store = "s3"`` without ``file_store = "database"`` or without ``s3_bucket``.
        ConfigError: boto3 is missing, or the bucket cannot be reached.
    """
    if settings.blob_store != "s3":
        return
    problems = []
    if settings.file_store != "database":
        problems.append(("blob_store", f'"s3" 需要 file_store = "database"（当前为 "{settings.file_store}"）'))
    if not settings.s3_bucket:
        problems.append(("s3_bucket", 'blob_store = "s3" 时必须设置（NIANBAO_S3_BUCKET）'))
    if not settings.s3_prefix or settings.s3_prefix.startswith("/"):
        problems.append(("s3_prefix", f"应为不以 / 开头的非空前缀，如 nianbao/blobs/（当前值 {settings.s3_prefix!r}）"))
    if problems:
        raise SettingsInvalid(problems)
    s3_store(settings).check()


def release(session: Session, store: BlobStore, sha256: str) -> bool:
    """Delete the bytes of ``sha256`` unless a submission not yet placed still needs them; True if deleted.

    Under the content lock: a hand-over of the same content waits, and puts the bytes again after.
    """
    relay_store.lock_content(session, sha256)
    if relay_store.content_needed(session, sha256):
        return False
    store.delete(sha256)
    return True


def collect_garbage(settings: Settings, *, older_than: float = GARBAGE_GRACE_S) -> int:
    """Remove objects no submission still needs (``blob_store = "s3"``): left by a crash between a put and
    its commit, or between a placement and its delete. Looks at one listing page; returns how many it removed.
    """
    if settings.blob_store != "s3":
        return 0  # the database store's bytes commit and go with their rows
    store = s3_store(settings)
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=older_than)
    candidates = [sha256 for sha256, modified in store.listing() if modified <= cutoff]
    if not candidates:
        return 0
    with session_scope(settings) as session:
        needed = relay_store.contents_needed(session, candidates)
    removed = 0
    for sha256 in candidates:
        if sha256 in needed:
            continue
        with session_scope(settings) as session:  # one content lock at a time, each held only briefly
            if release(session, store, sha256):
                removed += 1
    if removed:
        log.warning("blob_garbage_removed", objects=removed, store=store.config.describe())
    return removed
