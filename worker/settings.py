"""The one place that reads configuration.

Order of precedence (highest first): environment (``NIANBAO_*``, plus the conventional ``REDIS_URL`` and
``DATABASE_URL``), the TOML file named by ``NIANBAO_CONFIG`` (default ``config/nianbao.toml`` of the
checkout, when present), then the defaults below. Nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from worker.settings_parsing import LenientEnvSource, list_fields, parse_list, settings_invalid
from worker.settings_parsing import SettingsInvalid as SettingsInvalid  # re-exported: the CLI catches it

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config" / "nianbao.toml"


def _config_file() -> Path | None:
    explicit = os.environ.get("NIANBAO_CONFIG")
    if explicit:
        return Path(explicit)
    return REPO_CONFIG if REPO_CONFIG.exists() else None


class WebUserConfig(BaseModel):
    """One user of the web application (``web_users``); the hash comes from ``nianbao web hash-password``."""

    name: str = Field(min_length=1)
    password_hash: str = Field(min_length=1)
    role: Literal["viewer", "operator"] = "viewer"


def _time_zone(name: str) -> str:
    """``name`` if it is an IANA time zone (``Asia/Shanghai``), else a ValueError naming it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Asia/Shanghai')") from exc
    return name


class Settings(BaseSettings):
    """All settings of nianbao. Secrets are ``SecretStr`` and never logged."""

    model_config = SettingsConfigDict(
        env_prefix="NIANBAO_",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    # --- places -------------------------------------------------------------------------------
    data_dir: Path = Path("data")
    inbox: Path = Path("inbox")
    archive_dir: Path | None = None  # default <data_dir>/archive
    quarantine_dir: Path | None = None  # default <data_dir>/quarantine
    processing_dir: Path | None = None  # default <data_dir>/processing
    # mode of the directories the worker creates under them ("0700"); files get it without x ("0600");
    # "umask" leaves both to the process umask
    data_mode: str = "0700"

    # --- services -----------------------------------------------------------------------------
    broker_url: str | None = Field(
        default=None, validation_alias=AliasChoices("NIANBAO_BROKER_URL", "REDIS_URL", "broker_url")
    )
    result_backend: str | None = Field(
        default=None, validation_alias=AliasChoices("NIANBAO_RESULT_BACKEND", "result_backend")
    )
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("NIANBAO_DATABASE_URL", "DATABASE_URL", "database_url")
    )
    db_busy_timeout: float = 30.0  # SQLite: seconds a writer waits for a lock before a (retried) error
    # how workers get a file: "disk" from processing/ on the inbox's file system (one host, or a volume
    # every worker mounts); "database": the inbox side stores the bytes in PostgreSQL and workers on any
    # host fetch them by sha256 (docs/pipeline.md, "Workers on other machines")
    file_store: Literal["disk", "database"] = "disk"
    # where the inbox side keeps those bytes (file_store = "database"): "database" in the PostgreSQL table
    # ``blob``; "s3" in an S3-compatible object store (AWS S3, MinIO, ...) under ``<s3_prefix><sha256>``,
    # with the submissions and the claims still in PostgreSQL (worker/relay/blobs.py)
    blob_store: Literal["database", "s3"] = "database"
    s3_endpoint_url: str | None = None  # e.g. "http://minio:9000"; unset: AWS S3 of s3_region
    s3_bucket: str | None = None  # must exist (checked at start)
    s3_prefix: str = "nianbao/blobs/"
    s3_region: str | None = None  # unset: the SDK's default (AWS_DEFAULT_REGION, ~/.aws/config), else us-east-1
    # unset: the SDK's credential chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws, an instance role)
    s3_access_key: str | None = None
    s3_secret_key: SecretStr | None = None
    # "auto": path-style with s3_endpoint_url (MinIO), else the SDK's choice; "virtual" for services that
    # require bucket.host addressing (e.g. Aliyun OSS); "path" to force /bucket/key
    s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"

    # --- tasks --------------------------------------------------------------------------------
    soft_time_limit: int = 120
    time_limit: int = 180
    # an unacked message of a dead worker is delivered again after this (the ingest is idempotent);
    # above time_limit and the longest retry countdown of the ingest (docs/reliability.md)
    visibility_timeout: int = 900
    max_deliveries: int = 3
    retry_max: int = 5
    retry_backoff: int = 10  # first retry delay (s) of the ingest, doubled per retry
    retry_backoff_max: int = 600  # cap of that delay (s)
    worker_concurrency: int = 2
    task_queue: str = "nianbao"  # Celery queue of the ingest/alert tasks (one per deployment)
    retry_jitter: bool = True
    sweep_interval: float = 30.0  # s between recovery sweeps in a worker (orphans, half-done moves, outbox)
    # an outbox row (alert task) unsent this long is sent by the sweep: younger ones are still being sent
    # by the task that recorded them (a broker outage leaves them unsent)
    outbox_grace_seconds: float = 30.0
    # `nianbao worker` / `run` ping their Celery worker this often; three pings unanswered while the broker
    # answers and the worker is restarted (worker/liveness.py); 0: never
    worker_ping_interval: float = 30.0
    # address space a pool child may use above its size at start (RLIMIT_AS; 0 = no ceiling); a child
    # whose resident size ends a task above this is replaced (worker_max_memory_per_child)
    max_task_memory_mb: int = 1024

    # --- files --------------------------------------------------------------------------------
    max_file_mb: float = 50.0
    zip_max_uncompressed_mb: float = 200.0
    zip_max_entries: int = 2000

    # --- watcher ------------------------------------------------------------------------------
    stable_seconds: float = 2.0
    polling: bool = False
    poll_interval: float = 1.0
    rescan_interval: float = 60.0
    ignore_patterns: list[str] = Field(
        default_factory=lambda: [".*", "*.part", "*.tmp", "*.crdownload", "~$*", "*~", "*.swp", "*.swx", "#*#"]
    )

    # --- alerts -------------------------------------------------------------------------------
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = 10.0
    smtp_ca_file: Path | None = None  # CA bundle for a private relay (STARTTLS / ssl)
    smtp_tls_verify: bool = True  # verify the relay certificate and host name
    mail_from: str = "nianbao@localhost"
    mail_reply_to: str | None = None
    alert_recipients: list[str] = Field(default_factory=lambda: ["zwgk@localhost"])
    alert_on_warnings: bool = False
    alert_routes: list[dict[str, Any]] = Field(default_factory=list)
    digest_threshold: int = 10
    digest_window_seconds: float = 300.0
    alerts_enabled: bool = True
    mail_from_name: str = "政务公开年报校验"  # display name of the sender
    alert_retry_max: int = 8  # SMTP transient failures: attempts before a delivery is marked failed
    alert_retry_backoff: float = 30.0  # first retry delay (s), doubled per attempt, with jitter
    timezone: Annotated[str, AfterValidator(_time_zone)] = "Asia/Shanghai"  # times shown in alerts
    public_base_url: str = ""  # e.g. "https://nianbao.example.gov.cn": alerts link {base}/reports/{id}

    # --- registry of bodies -------------------------------------------------------------------
    default_region: str | None = None  # region a short-named report is matched in when its inbox folder says none
    body_contact_regions: list[str] = Field(default_factory=list)  # alerts also go to the body's contacts here
    reminder_days: list[int] = Field(default_factory=lambda: [14, 7, 3, 1])  # days before the deadline to remind
    reminder_regions: list[str] = Field(default_factory=list)  # regions reminded (one summary each); empty: all
    reminder_hour: int = Field(default=9, ge=0, le=23)  # local hour (``timezone``) the daily reminder runs
    reminders_enabled: bool = True  # Celery beat runs nianbao.remind daily

    # --- rules --------------------------------------------------------------------------------
    rule_severity: dict[str, str] = Field(default_factory=dict)

    # --- flower -------------------------------------------------------------------------------
    flower_address: str = "127.0.0.1"
    flower_port: int = 5555
    flower_basic_auth: SecretStr | None = None  # "user:password"

    # --- web application (docs/web.md) ------------------------------------------------------------
    web_enabled: bool = True  # `nianbao run` also serves the web application on 127.0.0.1
    web_address: str = "127.0.0.1"  # `nianbao web`: any other address requires web_users
    web_port: int = 8000
    web_users: list[WebUserConfig] = Field(default_factory=list)
    web_local_role: Literal["viewer", "operator"] = "operator"  # the implicit user on 127.0.0.1 without users
    web_session_hours: float = 12.0  # a login expires this long after it was made
    web_secret_key: SecretStr | None = None  # signs session cookies; default: <data_dir>/web-secret.key
    web_cookie_secure: bool = False  # send the session cookie over HTTPS only (behind a TLS proxy)

    log_level: str = "INFO"

    @field_validator("data_mode")
    @classmethod
    def _octal_mode(cls, value: str) -> str:
        text = str(value).strip().lower()
        if text not in ("", "umask", "none"):
            try:
                int(text, 8)
            except ValueError as exc:
                raise ValueError(f"data_mode must be an octal mode such as '0700' or 'umask', got {value!r}") from exc
        return text

    @field_validator("*", mode="before")
    @classmethod
    def _lists_as_typed(cls, value: Any, info: ValidationInfo) -> Any:
        """Accept every list-of-strings setting as people type it: one value, ``a, b``, ``a; b`` or JSON."""
        return parse_list(value) if info.field_name in list_fields(cls) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, LenientEnvSource(settings_cls)]
        path = _config_file()
        if path is not None and path.exists():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    # --- derived places -----------------------------------------------------------------------
    @property
    def archive_path(self) -> Path:
        return (self.archive_dir or self.data_dir / "archive").resolve()

    @property
    def quarantine_path(self) -> Path:
        return (self.quarantine_dir or self.data_dir / "quarantine").resolve()

    @property
    def processing_path(self) -> Path:
        return (self.processing_dir or self.data_dir / "processing").resolve()

    @property
    def relayed_path(self) -> Path:
        """Where the inbox side holds files handed to workers through the database (``file_store``)."""
        return (self.data_dir / "relayed").resolve()

    @property
    def relays_files(self) -> bool:
        """Workers fetch files from the database, not from processing/ (``file_store = "database"``)."""
        return self.file_store == "database"

    @property
    def dir_mode(self) -> int | None:
        """Mode of created data directories (``data_mode``), None to leave it to the umask."""
        text = self.data_mode.strip().lower()
        return None if text in ("", "umask", "none") else int(text, 8) & 0o777

    @property
    def file_mode(self) -> int | None:
        """Mode of data files (the SQLite file, archived and quarantined files): ``dir_mode`` without x bits."""
        mode = self.dir_mode
        return None if mode is None else mode & 0o666

    @property
    def inbox_path(self) -> Path:
        return self.inbox.resolve()

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to SQLite under the data directory."""
        if self.database_url:
            url = self.database_url
            # plain postgresql:// means psycopg2 to SQLAlchemy; we ship psycopg 3
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'nianbao.sqlite').resolve()}"

    def redacted(self) -> dict[str, Any]:
        """Settings as a dict safe to log (secrets and URL passwords masked)."""
        out = self.model_dump(mode="json")
        for key in ("broker_url", "result_backend", "database_url", "s3_endpoint_url"):
            if out.get(key) and "@" in out[key]:
                scheme, rest = out[key].split("://", 1)
                out[key] = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
        return out




@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (call ``get_settings.cache_clear()`` after changing the environment).

    Raises:
        SettingsInvalid: a value (environment or config file) cannot be used; its message is one line
            naming the key.
    """
    try:
        return Settings()
    except (ValidationError, SettingsError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise settings_invalid(exc, config_file=_config_file()) from exc

