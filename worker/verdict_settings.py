"""The settings that change a verdict or an alert, as a fingerprint workers on several hosts can compare.

Each worker checks and stores a report, and records and sends its alerts, with its own settings. With
``file_store = "database"`` the workers may run on other hosts with their own configuration, so two of them
could store different verdicts for the same file without anyone noticing. ``describe`` takes the settings
listed in ``VERDICT_KEYS`` (and the code that applies them, ``code_version``) and gives:

* ``values``: a readable summary, free of secrets (a secret shows as ``"***"`` when set, ``None`` when not);
* ``secret_digests``: per secret setting a scrypt digest (salted with the setting's name), so a different SMTP
  password shows as "differs" while the password itself is never stored or shown;
* ``fingerprint``: sha256 of the canonical JSON of both: equal fingerprints, equal verdict settings.

Host-local settings (places, server URLs, concurrency, time and memory limits, intervals, log level) are
left out on purpose: they may differ between hosts without changing what is stored or mailed.
Workers record their fingerprint in the table ``worker_settings`` (worker/peers.py); ``nianbao status`` and
``nianbao health`` compare the live ones (worker/store/queries/workers.py). Pure: no I/O besides reading the
package's own sources once (``code_version``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from worker.settings import Settings

#: What is stored for a report: the rules' severities, the body a report is matched to, the limits that
#: quarantine a file instead of checking it.
STORED_KEYS: tuple[str, ...] = (
    "rule_severity",
    "default_region",
    "max_file_mb",
    "zip_max_uncompressed_mb",
    "zip_max_entries",
)
#: What is mailed, to whom, from where and through which server (alerts, digests, reminders); ``timezone``
#: sets the times the mails print and the hour reminders start (no rule reads it: the PUB_* deadlines
#: compare printed dates).
MAILED_KEYS: tuple[str, ...] = (
    "alerts_enabled",
    "alert_on_warnings",
    "alert_recipients",
    "alert_routes",
    "body_contact_regions",
    "digest_threshold",
    "digest_window_seconds",
    "mail_from",
    "mail_from_name",
    "mail_reply_to",
    "public_base_url",
    "timezone",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_password",
    "smtp_tls_verify",
    "reminders_enabled",
    "reminder_days",
    "reminder_regions",
    "reminder_hour",
)
#: The version of nianbao plus a hash of the sources that read, check and mail (not a setting, but two
#: workers of different code can give different verdicts with the same settings).
CODE_KEY = "code_version"
VERDICT_KEYS: tuple[str, ...] = (CODE_KEY, *STORED_KEYS, *MAILED_KEYS)
#: Settings never stored or shown, only compared through a digest.
SECRET_KEYS: frozenset[str] = frozenset({"smtp_password"})
#: The packages whose sources ``code_version`` hashes (relative to worker/).
CODE_PACKAGES: tuple[str, ...] = ("extract", "parse", "rules", "alerts")

SECRET_SHOWN = "***"  # a set secret in ``values``


@dataclass(frozen=True)
class VerdictSettings:
    """One worker's verdict settings (see module doc)."""

    values: dict[str, Any]
    secret_digests: dict[str, str | None]
    fingerprint: str


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the same data gives the same string on every host."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def secret_digest(key: str, secret: str) -> str:
    """A scrypt digest of ``secret`` salted with the setting's name: comparable between hosts, slow to guess
    from (a database reader must not learn the password by hashing a dictionary of likely ones)."""
    salt = f"nianbao verdict settings: {key}".encode()
    return hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1, dklen=16).hex()


@lru_cache(maxsize=1)
def code_version() -> str:
    """``<package version>+<12 hex digits>``: the hash covers the sources of ``CODE_PACKAGES`` (and the
    alert templates), so workers installed from different commits differ even under one version number."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("nianbao")
    except PackageNotFoundError:
        release = "unknown"
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for package in CODE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2", ".html", ".txt", ".toml", ".json"):
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return f"{release}+{digest.hexdigest()[:12]}"


def _rule_severity(settings: Settings) -> dict[str, str]:
    """``rule_severity`` as the rules apply it (ids upper-cased, redirects followed), so spellings that mean
    the same do not differ; an invalid one as written (the worker refuses it at start anyway)."""
    from worker.errors import ConfigError
    from worker.rules import validate_severity_overrides

    try:
        return validate_severity_overrides(settings.rule_severity)
    except ConfigError:
        return {str(k): str(v) for k, v in settings.rule_severity.items()}


def describe(settings: Settings) -> VerdictSettings:
    """The verdict settings of ``settings`` (see module doc)."""
    dumped = settings.model_dump(mode="json", include=set(VERDICT_KEYS) - {CODE_KEY})
    values: dict[str, Any] = {CODE_KEY: code_version()}
    digests: dict[str, str | None] = {}
    for key in VERDICT_KEYS[1:]:
        if key in SECRET_KEYS:
            raw = getattr(settings, key)
            secret = raw.get_secret_value() if raw is not None else ""
            values[key] = SECRET_SHOWN if secret else None
            digests[key] = secret_digest(key, secret) if secret else None
        elif key == "rule_severity":
            values[key] = _rule_severity(settings)
        else:
            values[key] = dumped[key]
    fingerprint = hashlib.sha256(canonical_json(comparable(values, digests)).encode()).hexdigest()
    return VerdictSettings(values=values, secret_digests=digests, fingerprint=fingerprint)


def comparable(values: Mapping[str, Any], secret_digests: Mapping[str, str | None]) -> dict[str, Any]:
    """``values`` with each secret replaced by its digest: what two workers' settings are compared on."""
    return {**values, **{key: {"digest": digest} for key, digest in secret_digests.items()}}


def differing_keys(
    a: tuple[Mapping[str, Any], Mapping[str, str | None]], b: tuple[Mapping[str, Any], Mapping[str, str | None]]
) -> list[str]:
    """The keys whose value differs between two ``(values, secret_digests)`` pairs, in ``VERDICT_KEYS`` order
    (a key only one side has, e.g. from a release that compared fewer settings, differs too)."""
    left, right = comparable(*a), comparable(*b)
    keys = [k for k in VERDICT_KEYS if k in left or k in right]
    keys += sorted((set(left) | set(right)) - set(VERDICT_KEYS))
    return [k for k in keys if canonical_json(left.get(k)) != canonical_json(right.get(k))]
