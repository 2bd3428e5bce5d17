"""Workers on other machines (``file_store = "database"``): the inbox side hands files over through PostgreSQL.

* ``worker.relay.inbox_side`` runs where the inbox is (the watcher, ``nianbao run``): it takes a settled file
  out of the inbox into ``<data_dir>/relayed/<token>/``, stores its bytes once by sha256 (``blob_store``: the
  table ``blob``, or an S3-compatible object store, ``worker.relay.blobs``), records a
  ``submission`` and sends ``nianbao.ingest_blob(id)``; later it moves each decided file to archive/ or
  quarantine/ (with the note), as a disk-mode worker would have.
* ``worker.relay.worker_side`` runs in any worker: it takes the submission under a PostgreSQL advisory lock
  (the claim: it dies with the worker's connection), writes the bytes to a private temporary folder and runs
  the same ingest as a disk-mode worker (``worker.ingest``), which records the decision instead of moving.

Nothing but the database and the broker is shared. See docs/pipeline.md, "Workers on other machines".
"""

from __future__ import annotations

import socket

from worker.errors import ConfigError
from worker.settings import Settings


def check(settings: Settings) -> None:
    """Refuse ``file_store = "database"`` without PostgreSQL (its claims are PostgreSQL advisory locks), and
    an S3 blob store that cannot work (``worker.relay.blobs.check``: settings, boto3, the bucket answers)."""
    if settings.relays_files and not settings.sqlalchemy_url.startswith("postgresql"):
        raise ConfigError(
            'file_store = "database" 需要 PostgreSQL 数据库（设置 DATABASE_URL）：其他机器上的处理程序只共用'
            "数据库和消息队列，认领文件靠 PostgreSQL 的锁"
        )
    from worker.relay import blobs  # here: worker.relay.blobs imports the store, which imports settings

    blobs.check(settings)


def origin(settings: Settings) -> str:
    """The name of this inbox side in ``submission.origin``: host and data directory."""
    return f"{socket.gethostname()}:{settings.data_dir.resolve()}"[:255]
