"""`trustdesk bench idle-rss --json` starts `trustdesk up` and reads every process's memory."""

from __future__ import annotations

import json

import pytest

from bench.idle_rss import PROCESSES
from trustdesk.cli import main


def test_idle_rss_reports_every_process_of_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "idle-rss", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [row["name"] for row in rows] == list(PROCESSES)
    # Each is a running process of its own with a resident set of a real size.
    assert len({row["pid"] for row in rows}) == len(PROCESSES)
    assert all(10 < row["rss_mb"] < 4000 for row in rows)
