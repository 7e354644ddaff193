"""The chaos run's report: a conversation that did not finish misses a target and says where."""

from __future__ import annotations

from bench.chaos import ChaosReport


def finished_report() -> ChaosReport:
    return ChaosReport(cases=4, kills=2, workers=2, audit_ok=True, recoveries=[3.0, 4.0])


def test_a_run_where_every_conversation_finished_meets_its_targets() -> None:
    report = finished_report()
    assert report.passed
    assert any(line.startswith("unfinished             0") for line in report.lines())


def test_an_unfinished_conversation_misses_the_targets_and_is_named_by_where_it_stopped() -> None:
    report = finished_report()
    report.unfinished.update(["no pending approval found", "no pending approval found"])
    report.unfinished.update(["message refused for 300 s"])
    assert not report.passed
    line = next(line for line in report.lines() if line.startswith("unfinished"))
    assert line == (
        "unfinished             3    (target 0); 1 message refused for 300 s; "
        "2 no pending approval found"
    )


def test_messages_in_flight_at_a_kill_are_reported_from_the_kill_to_their_reply() -> None:
    report = finished_report()
    line = next(line for line in report.lines() if line.startswith("in flight at a kill"))
    assert "no message was in flight at a kill" in line
    report.in_flight = [0.4, 1.0, 12.5]
    line = next(line for line in report.lines() if line.startswith("in flight at a kill"))
    assert "3 messages; p50 1.0 s, p95 12.5 s, max 12.5 s" in line
    assert report.passed  # reported beside the targets, not one of them
    report.untouched = [0.2, 0.3]
    line = next(line for line in report.lines() if line.startswith("no kill in between"))
    assert "2 messages; p50 0.2 s, p95 0.3 s, max 0.3 s" in line
