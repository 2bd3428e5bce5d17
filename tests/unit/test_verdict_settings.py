"""The fingerprint of the settings that change a verdict or an alert (worker/verdict_settings.py): host-local
settings leave it alone, verdict settings change it, secrets change it without being kept."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from worker.settings import Settings
from worker.verdict_settings import (
    SECRET_KEYS,
    VERDICT_KEYS,
    canonical_json,
    describe,
    differing_keys,
)

PASSWORD = "Zw9-unique-smtp-secret"


def _settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]


def test_host_local_settings_do_not_change_the_fingerprint(tmp_path: Path) -> None:
    one = describe(_settings(data_dir=tmp_path / "a", worker_concurrency=2, log_level="INFO",
                             database_url="postgresql://a@db1/x", broker_url="redis://r1:6379/0",
                             sweep_interval=30, max_task_memory_mb=1024))  # fmt: skip
    two = describe(_settings(data_dir=tmp_path / "b", worker_concurrency=8, log_level="DEBUG",
                             database_url="postgresql://b@db2/x", broker_url="redis://r2:6379/0",
                             sweep_interval=5, max_task_memory_mb=4096))  # fmt: skip
    assert one.fingerprint == two.fingerprint
    assert set(one.values) == set(VERDICT_KEYS)


def test_rule_severity_compares_as_the_rules_apply_it() -> None:
    written_one_way = describe(_settings(rule_severity={"pub_after_jan31": "ERROR"}))
    written_another = describe(_settings(rule_severity={"PUB_AFTER_JAN31": "error"}))
    default = describe(_settings())
    assert written_one_way.fingerprint == written_another.fingerprint != default.fingerprint
    pair = (written_one_way.values, written_one_way.secret_digests), (default.values, default.secret_digests)
    assert differing_keys(*pair) == ["rule_severity"]


def test_each_kind_of_verdict_setting_changes_the_fingerprint() -> None:
    base = describe(_settings())
    for key, value in [("timezone", "Asia/Urumqi"), ("alert_recipients", ["other@example.gov.cn"]),
                       ("smtp_host", "relay.example.gov.cn"), ("default_region", "福建省"),
                       ("max_file_mb", 10.0), ("alert_on_warnings", True)]:  # fmt: skip
        other = describe(_settings(**{key: value}))
        assert other.fingerprint != base.fingerprint, key
        assert differing_keys((base.values, base.secret_digests), (other.values, other.secret_digests)) == [key]


def test_a_secret_is_compared_but_never_kept() -> None:
    unset = describe(_settings())
    one = describe(_settings(smtp_password=SecretStr(PASSWORD)))
    again = describe(_settings(smtp_password=SecretStr(PASSWORD)))
    other = describe(_settings(smtp_password=SecretStr(PASSWORD + "x")))
    assert SECRET_KEYS == {"smtp_password"}
    assert one.fingerprint == again.fingerprint
    assert len({unset.fingerprint, one.fingerprint, other.fingerprint}) == 3
    assert differing_keys((one.values, one.secret_digests), (other.values, other.secret_digests)) == ["smtp_password"]
    assert one.values["smtp_password"] == "***" and unset.values["smtp_password"] is None
    for described in (one, other):
        kept = canonical_json([described.values, described.secret_digests, described.fingerprint])
        assert PASSWORD not in kept
