"""docker-compose.yml: validated by ``docker compose config`` when the compose plugin exists, else by
parsing the YAML and checking the services and keys the deployment depends on."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
ENV = {"REDIS_PASSWORD": "r-secret", "POSTGRES_PASSWORD": "p-secret", "FLOWER_BASIC_AUTH": "admin:f-secret"}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _has_compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
    return probe.returncode == 0


def test_compose_services_and_keys() -> None:
    doc = _compose()
    services = doc["services"]
    assert {"redis", "postgres", "worker", "watcher", "flower", "mailpit"} <= set(services)

    redis_cmd = services["redis"]["command"]
    assert (
        "--requirepass" in redis_cmd and redis_cmd[redis_cmd.index("--maxmemory-policy") + 1] == "noeviction"
    )
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["command"] == ["nianbao", "worker"]
    assert services["watcher"]["command"] == ["nianbao", "watch"]
    assert "NIANBAO_FLOWER_BASIC_AUTH" in services["flower"]["environment"]
    assert "8025" in " ".join(services["mailpit"]["ports"])

    for name in ("worker", "watcher", "flower", "migrate"):
        env = services[name]["environment"]
        assert env["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD")  # the password is required
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["NIANBAO_SMTP_HOST"] == "mailpit"
    # the watcher and the workers see the same inbox; claims stay on its volume (atomic renames)
    assert services["worker"]["environment"]["NIANBAO_PROCESSING_DIR"].startswith("/inbox/.")
    assert (
        "inbox:/inbox" in services["worker"]["volumes"] and "inbox:/inbox" in services["watcher"]["volumes"]
    )
    assert {"inbox", "data"} <= set(doc["volumes"])
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert (ROOT / "Dockerfile").is_file()


def test_compose_requires_secrets_from_environment() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in ENV:
        assert f"${{{name}:?" in text, f"{name} must be required, never defaulted"
    assert "r-secret" not in text


@pytest.mark.skipif(
    not _has_compose_plugin(), reason="docker compose plugin not installed (YAML checks above)"
)
def test_compose_config_passes() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
