"""Small workflows the server tests run.

They live apart from the test modules: the workflow sandbox re-imports the module
that defines a workflow, and a module holding only workflow code imports cleanly,
while a pytest module (assertion rewriting, fixtures, HTTP clients) is a larger and
flakier thing to load a second time.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

# Imported inside the workflow sandbox on purpose: workflow code does the same.
from workflows.search_attributes import CASE_STATUS


@workflow.defn
class ParkedCase:
    """Marks itself open, then waits for a closing signal."""

    def __init__(self) -> None:
        self.status = "new"
        self.closed_by: str | None = None

    @workflow.run
    async def run(self) -> str:
        workflow.upsert_search_attributes([CASE_STATUS.value_set("open")])
        self.status = "open"
        await workflow.wait_condition(lambda: self.closed_by is not None)
        return f"closed by {self.closed_by}"

    @workflow.update
    async def opened(self) -> str:
        await workflow.wait_condition(lambda: self.status == "open")
        return self.status

    @workflow.signal
    def close(self, who: str) -> None:
        self.closed_by = who


@workflow.defn
class SleepyCase:
    """Sleeps for hours of workflow time: only instant under time skipping."""

    @workflow.run
    async def run(self, nap_hours: float) -> str:
        await workflow.sleep(timedelta(hours=nap_hours))
        return "woke"
