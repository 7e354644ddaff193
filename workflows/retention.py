"""`RetentionWorkflow`: started daily by the `trustdesk-retention` Schedule."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.retention import PurgeClosedCasesInput, PurgeClosedCasesResult

SCHEDULE_ID = "trustdesk-retention"


class RetentionInput(BaseModel):
    retention_days: int = Field(ge=1)


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, inp: RetentionInput) -> PurgeClosedCasesResult:
        cutoff = workflow.now() - timedelta(days=inp.retention_days)
        purged: PurgeClosedCasesResult = await workflow.execute_activity(
            "retention.purge_closed_cases",
            PurgeClosedCasesInput(cutoff=cutoff),
            result_type=PurgeClosedCasesResult,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
            summary="purge closed cases past retention",
        )
        return purged
