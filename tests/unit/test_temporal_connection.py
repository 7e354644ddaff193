"""The Temporal connection reads the production settings: mutual TLS files and an API key."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from trustdesk.config import Settings
from trustdesk.temporal_client import tls_config


def test_local_default_is_plain() -> None:
    assert tls_config(Settings()) is False


def test_an_api_key_implies_tls() -> None:
    assert tls_config(Settings(temporal_api_key="key-123")) is True


def test_mutual_tls_files_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("cert", "key", "ca"):
        (tmp_path / f"{name}.pem").write_text(f"-----{name}-----")
        monkeypatch.setenv(f"TRUSTDESK_TEMPORAL_TLS_{name.upper()}", str(tmp_path / f"{name}.pem"))
    monkeypatch.setenv("TRUSTDESK_TEMPORAL_TLS_SERVER_NAME", "temporal.internal")
    config = tls_config(Settings())
    assert isinstance(config, TLSConfig)
    assert config.client_cert == b"-----cert-----"
    assert config.client_private_key == b"-----key-----"
    assert config.server_root_ca_cert == b"-----ca-----"
    assert config.domain == "temporal.internal"
