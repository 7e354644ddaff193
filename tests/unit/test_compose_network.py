"""docker-compose.yml keeps Temporal and PostgreSQL off every published interface and
gives the web process and the workers the two halves of the approval key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_temporal_and_postgres_are_reachable_only_on_the_internal_network() -> None:
    doc = compose()
    assert doc["networks"]["internal"]["internal"] is True
    for name in ("temporal", "postgres"):
        service = doc["services"][name]
        assert "ports" not in service, f"{name} publishes a port"
        assert service["networks"] == ["internal"]


def test_the_temporal_ui_is_published_on_loopback_only() -> None:
    ports = compose()["services"]["temporal-ui"]["ports"]
    assert ports and all(str(p).startswith("127.0.0.1:") for p in ports)


def test_the_web_process_signs_and_the_workers_verify_approvals() -> None:
    services = compose()["services"]
    assert "TRUSTDESK_APPROVAL_SIGNING_KEY" in services["web"]["environment"]
    worker = services["worker"]["environment"]
    assert "TRUSTDESK_APPROVAL_VERIFY_KEYS" in worker
    assert "TRUSTDESK_APPROVAL_SIGNING_KEY" not in worker
