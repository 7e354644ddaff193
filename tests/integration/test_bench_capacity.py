"""`trustdesk bench capacity` runs end to end at tiny sizes and reports every figure.

One real run of the command as a user types it (`--levels 1,2 --parked 20 --json`):
the dev server from the wheel, a SQLite store, the agent and floor workers, the web
app on a local port. Timings are never asserted: only that each figure was measured,
that its ratio to the floor was taken from the two figures beside it, and that the
exactly-once check after the worker restart really ran.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from typing import Any

import pytest

from bench.capacity import FLOOR_SAMPLE, cpu_seconds, parse_levels
from trustdesk.cli import build_parser, main

LEVELS = [1, 2]
PARKED = 20


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["bench", "capacity", "--levels", "1,2", "--parked", str(PARKED), "--json"])
    assert code == 0
    parsed: dict[str, Any] = json.loads(out.getvalue())
    return parsed


def test_every_level_is_measured_for_the_cases_and_the_floor(
    report: dict[str, Any],
) -> None:
    assert [level["concurrency"] for level in report["levels"]] == LEVELS
    for level in report["levels"]:
        for side in (level["case"], level["floor"]):
            assert side["conversations"] == 2 * level["concurrency"]  # two rounds per slot
            assert side["seconds"] > 0 and side["throughput"] > 0
            assert 0 < side["turn_p50"] <= side["turn_p95"] <= side["turn_p99"]
            assert side["first_reply_p95"] > 0
            assert side["cpu_seconds"] > 0
            assert math.isclose(
                side["cpu_per_conversation"], side["cpu_seconds"] / side["conversations"]
            )
        ratio = level["ratio"]
        assert set(ratio) == {
            "throughput",
            "turn_p50",
            "turn_p95",
            "turn_p99",
            "first_reply_p95",
            "cpu_per_conversation",
        }
        case, floor = level["case"], level["floor"]
        assert math.isclose(ratio["turn_p95"], case["turn_p95"] / floor["turn_p95"])
        assert math.isclose(
            ratio["cpu_per_conversation"],
            case["cpu_per_conversation"] / floor["cpu_per_conversation"],
        )


def test_parked_cases_are_measured_and_approved_exactly_once_after_a_restart(
    report: dict[str, Any],
) -> None:
    parked = report["parked"]
    assert parked["parked"] == PARKED and parked["cached"] == PARKED  # all fit the cache
    # Fewer cases than that, but the floor's sample stays large enough to read above noise.
    assert parked["floors"] == FLOOR_SAMPLE
    assert parked["case_kb_per_cached"] > 0 and parked["floor_kb_per_cached"] > 0
    assert parked["rss_mb"]["after_cases"] > parked["rss_mb"]["before_cases"]
    assert parked["restarted"]
    # A sample, not all of them: the others are checked to have executed nothing.
    assert 0 < len(parked["approved"]) < PARKED
    assert len(set(parked["approved"])) == len(parked["approved"])
    assert parked["exactly_once"] and not parked["problems"]


def test_history_events_and_the_targets_are_reported(report: dict[str, Any]) -> None:
    events = report["history_events"]
    assert events["case"] > 0 and events["floor"] > 0
    # Two targets per level, then memory per cached case and history events.
    targets = report["targets"]
    assert len(targets) == 2 * len(LEVELS) + 2
    assert all(isinstance(t["met"], bool) and t["value"] > 0 for t in targets)


def test_idle_rss_is_measured_or_says_why_not(report: dict[str, Any]) -> None:
    if report["idle_rss"]:
        assert report["idle_rss_error"] is None
        assert all(10 < row["rss_mb"] < 4000 for row in report["idle_rss"])
    else:
        assert report["idle_rss_error"]


def test_cpu_time_is_read_from_proc() -> None:
    before = cpu_seconds()
    sum(i * i for i in range(3_000_000))
    assert cpu_seconds() > before


def test_levels_are_parsed_and_malformed_ones_refused() -> None:
    assert parse_levels("1,4,16,32") == [1, 4, 16, 32]
    for bad in ("", "1,x", "0,4"):
        with pytest.raises(ValueError):
            parse_levels(bad)


def test_the_command_line_takes_the_capacity_options() -> None:
    args = build_parser().parse_args(
        ["bench", "capacity", "--levels", "1,2", "--parked", "20", "--json"]
    )
    assert (args.suite, args.levels, args.parked, args.json) == ("capacity", "1,2", 20, True)
