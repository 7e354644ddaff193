"""`trustdesk customer export|erase`, exactly as the README's Privacy section runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from store.audit import verify_chain
from store.db import make_engine, session_factory
from trustdesk.cli import main

EMAIL = "chloe.nguyen@example.com"


def test_export_then_erase_a_demo_customer(
    temporal_env: WorkflowEnvironment,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # the default data dir, .trustdesk, lands here
    monkeypatch.setenv(
        "TRUSTDESK_TEMPORAL_ADDRESS", temporal_env.client.service_client.config.target_host
    )
    assert main(["seed"]) == 0
    capsys.readouterr()

    assert main(["customer", "export", EMAIL, "--html", "chloe.html"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["customer"]["email"] == EMAIL
    assert exported["orders"] and exported["customer"]["last_name"] == "Nguyen"
    page = Path("chloe.html").read_text()
    assert "What we store about Chloe Nguyen" in page and EMAIL in page

    assert main(["customer", "erase", EMAIL]) == 2
    assert "--yes" in capsys.readouterr().out
    assert main(["customer", "erase", EMAIL, "--yes"]) == 0
    assert "erased" in capsys.readouterr().out
    assert main(["customer", "export", EMAIL]) == 1
    assert "no customer" in capsys.readouterr().out

    engine = make_engine(f"sqlite:///{(tmp_path / '.trustdesk' / 'trustdesk.db').resolve()}")
    with session_factory(engine)() as session:
        assert verify_chain(session).ok
    engine.dispose()
    assert main(["audit"]) == 0
