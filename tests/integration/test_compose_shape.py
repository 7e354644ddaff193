"""The production shape in docker-compose.yml, read as a file (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from trustdesk.config import Settings

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
INTERNAL_ONLY = ("postgres", "temporal")
#: Settings whose defaults are wrong in a container: a local address, a per-container
#: SQLite file or a secret generated per container. Every Trustdesk process needs them.
NO_SAFE_DEFAULT = ("database_url", "temporal_address", "secret_key")
#: Settings one kind of process needs on top, by its command.
NEEDED_BY = {
    "web": ("web_host",),
    "email": ("smtp_listen_host", "support_address", "smtp_relay_host"),
    "outbox": ("smtp_relay_host",),
}
SECRETS = ("secret_key",)
#: A tag with an exact version (x.y.z; PostgreSQL's releases are x.y), or a tag plus a digest.
PINNED = re.compile(
    r"^(postgres:\d+\.\d+|[\w./-]+:\d+\.\d+\.\d+)([\w.-]*)$|^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$"
)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _trustdesk(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        n: s for n, s in _services(compose).items() if s.get("command", [None])[0] == "trustdesk"
    }


def test_every_service_restarts_and_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in _services(compose).items():
        assert service.get("restart") in ("always", "unless-stopped", "on-failure"), name
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"


def test_every_image_is_pinned(compose: dict[str, Any]) -> None:
    for name, service in _services(compose).items():
        assert "image" in service or "build" in service, name
        if "image" in service:
            assert PINNED.match(service["image"]), f"{name}: {service['image']} is not pinned"


def test_every_setting_without_a_safe_default_is_provided(compose: dict[str, Any]) -> None:
    fields = Settings.model_fields
    for setting in (*NO_SAFE_DEFAULT, *(s for needed in NEEDED_BY.values() for s in needed)):
        assert setting in fields, f"{setting} is no longer a setting; update this test"
    trustdesk = _trustdesk(compose)
    assert set(trustdesk) >= set(NEEDED_BY) | {"worker"}
    for name, service in trustdesk.items():
        env = service.get("environment") or {}
        for setting in (*NO_SAFE_DEFAULT, *NEEDED_BY.get(service["command"][1], ())):
            value = env.get(f"TRUSTDESK_{setting.upper()}")
            assert value, f"{name} does not set TRUSTDESK_{setting.upper()}"
            assert "127.0.0.1" not in value and "localhost" not in value, (name, setting)
        for secret in SECRETS:
            # Read from the operator's environment, required, never a value in the file.
            assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", env[f"TRUSTDESK_{secret.upper()}"]), name


def test_temporal_and_postgres_are_reachable_only_inside(compose: dict[str, Any]) -> None:
    networks = compose["networks"]
    for name in INTERNAL_ONLY:
        service = _services(compose)[name]
        assert not service.get("ports"), f"{name} publishes ports"
        assert "network_mode" not in service, name
        attached = service.get("networks")
        assert attached, f"{name} is on the default network, which is not internal"
        for network in attached:
            assert (networks[network] or {}).get("internal") is True, (name, network)
    for name, service in _services(compose).items():
        for port in service.get("ports") or []:
            assert not str(port).split(":")[-1].startswith(("7233", "5432")), (name, port)
