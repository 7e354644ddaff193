"""`trustdesk bench latency` runs end to end and reports every metric; timings are never asserted.

One real run (the dev server from the wheel, a SQLite store, the agent and floor
workers, the web app on a local port) with two conversations of each kind, then
checks of the report's structure and sanity. The history analysis and the
percentiles are also checked on their own, without a server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory

from bench.history import analyse_history
from bench.latency import LatencyReport, percentile, run_latency_bench
from bench.shop import bench_customers, bench_shop
from trustdesk.cli import build_parser

CONVERSATIONS = 2
HISTORIES = Path(__file__).resolve().parents[1] / "replay" / "histories"

METRICS = {
    "first_reply",
    "floor",
    "first_reply_over_floor",
    "turn",
    "http_ping",
    "approval_to_action",
    "approval_post",
    "pending_query",
    "approval_to_resolved",
    "history_events_cancel",
    "history_events_return",
}
WITH_TARGETS = {
    "first_reply",
    "first_reply_over_floor",
    "approval_to_action",
    "history_events_cancel",
    "history_events_return",
}


@pytest.fixture(scope="module")
async def report(tmp_path_factory: pytest.TempPathFactory) -> LatencyReport:
    return await run_latency_bench(CONVERSATIONS, work_dir=tmp_path_factory.mktemp("bench"))


async def test_every_metric_is_reported_with_its_samples(report: LatencyReport) -> None:
    assert {m.key for m in report.metrics} == METRICS
    expected_samples = {
        "first_reply": 2 * CONVERSATIONS,
        "floor": 2 * CONVERSATIONS,
        "first_reply_over_floor": 2 * CONVERSATIONS,
        "turn": 4 * CONVERSATIONS,
        "http_ping": CONVERSATIONS,
        "approval_to_action": CONVERSATIONS,
        "approval_post": CONVERSATIONS,
        "pending_query": CONVERSATIONS,
        "approval_to_resolved": CONVERSATIONS,
        "history_events_cancel": CONVERSATIONS,
        "history_events_return": CONVERSATIONS,
    }
    for metric in report.metrics:
        assert metric.samples == expected_samples[metric.key], metric
        assert metric.p50 > 0 and metric.p95 > 0, metric
        if metric.unit != "x":  # a ratio of two p95s may well be below the ratio of medians
            assert metric.p50 <= metric.p95, metric
        assert (metric.target is not None) == (metric.key in WITH_TARGETS), metric
        assert (metric.met is not None) == (metric.key in WITH_TARGETS), metric
    assert report.conversations == CONVERSATIONS
    assert report.cores is not None and report.cores > 0
    assert report.temporal_state == "database file"  # as `trustdesk up` runs the server


async def test_the_floor_ran_in_the_shape_of_the_first_turn(report: LatencyReport) -> None:
    shape = report.floor_shape
    assert shape["activities_before_reply"] == len(report.first_turn_activities) > 0
    assert shape["activities_after_reply"] >= 0
    assert report.metric("floor").p50 > 0
    assert report.breakdown["floor"]["until_reply"] > 0
    assert set(report.breakdown["first_turn_activities"]) == {
        name.removeprefix("support.") for name in report.first_turn_activities
    }


async def test_histories_are_counted_per_kind_and_per_update(report: LatencyReport) -> None:
    assert report.metric("history_events_cancel").p50 > 0
    assert report.metric("history_events_return").p50 > 0
    cancel, ret = report.histories["cancel"], report.histories["return"]
    assert [s["update"] for s in cancel["segments"]] == ["post_message", "post_message"]
    assert [s["update"] for s in ret["segments"]] == [
        "post_message",
        "post_message",
        "submit_approval",
    ]
    for history in (cancel, ret):
        assert history["events"] == sum(history["by_type"].values())
        assert history["by_type"]["ActivityTaskScheduled"] > 0
    approval = ret["segments"][2]
    assert any(a.endswith("execute_action") for a in approval["activities_after_reply"])


async def test_each_approved_action_executed_exactly_once(report: LatencyReport) -> None:
    checks = report.checks
    assert checks["exactly_once"] is True and checks["problems"] == []
    # The warm-up customer and the measured ones, one cancel and one return each.
    assert checks["cases"] == 2 * (CONVERSATIONS + 1)
    assert set(checks["actions_per_case"].values()) == {1}
    returns = [c for c in checks["actions_per_case"] if "-return-" in c]
    assert len(returns) == CONVERSATIONS + 1


async def test_the_report_renders_and_serialises(report: LatencyReport) -> None:
    text = report.render()
    for metric in report.metrics:
        assert metric.label in text
    assert f"{report.cores} cores" in text
    assert ("met" in text) or ("missed" in text)
    decoded = json.loads(json.dumps(report.to_json()))
    assert {m["key"] for m in decoded["metrics"]} == METRICS


def test_the_command_line_takes_the_bench_options() -> None:
    args = build_parser().parse_args(["bench", "latency", "--conversations", "3", "--json"])
    assert (args.suite, args.conversations, args.json) == ("latency", 3, True)
    default = build_parser().parse_args(["bench", "latency"])
    assert (default.conversations, default.json, default.temporal_in_memory) == (30, False, False)


# --- without a server ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([1.0], 95, 1.0),
        ([1.0, 2.0, 3.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([float(n) for n in range(1, 21)], 95, 19.05),
        ([3.0, 1.0, 2.0], 100, 3.0),
    ],
)
def test_percentile_interpolates_between_ranks(
    values: list[float], q: float, expected: float
) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_a_recorded_history_is_cut_per_update() -> None:
    path = HISTORIES / "return_with_approval.json"
    if not path.exists():
        pytest.skip(f"no recorded history at {path}")
    history = WorkflowHistory.from_json("return", path.read_text())
    shape = analyse_history(history.events)
    assert shape.events == len(history.events)
    updates = [s.update for s in shape.segments]
    assert updates[:2] == ["post_message", "post_message"] and "submit_approval" in updates
    first = shape.first("post_message")
    assert first.until_reply is not None and first.until_reply >= 0
    assert first.activities_before_reply, "the first reply waits for the graph's activities"
    assert sum(s.events for s in shape.segments) <= shape.events


def test_the_bench_shop_is_deterministic_and_fits_the_scripts() -> None:
    customers = bench_customers(3)
    shop = bench_shop(customers)
    assert shop == bench_shop(bench_customers(3))
    for customer in customers:
        user = shop["users"][customer.id]
        assert user["email"] == customer.email
        assert user["orders"] == [customer.pending_order, customer.delivered_order]
        assert shop["orders"][customer.pending_order]["status"] == "pending"
        assert shop["orders"][customer.delivered_order]["status"] == "delivered"
        assert shop["orders"][customer.delivered_order]["fulfillments"]
    with pytest.raises(ValueError):
        bench_customers(0)
