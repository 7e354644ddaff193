"""`trustdesk chaos` runs end to end at a small size: its own dev server, two worker
processes, a SIGKILL and a server restart, and conversations that reach the workers with
their payload keys and approvals they trust (bench/chaos.py). Before, the command's client
spoke to the workers without the case payload keys and sent unsigned approvals, so every
conversation failed and no test noticed."""

from __future__ import annotations

from bench.chaos import run_chaos


async def test_a_small_chaos_run_finishes_every_conversation_with_the_invariants() -> None:
    said: list[str] = []
    report = await run_chaos(cases=4, kills=1, seed=3, worker_count=2, say=said.append)
    assert report.messages_sent >= 8  # two messages a conversation, none refused
    assert not report.unfinished, report.unfinished
    assert (report.lost_messages, report.double_actions, report.over_refunds) == (0, 0, 0)
    assert report.audit_ok and report.audit_events > 0
    assert report.passed, "\n".join(report.lines())
    assert report.server_restarts == 1
