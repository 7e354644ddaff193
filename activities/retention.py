"""Retention: purge the conversation of closed cases older than the configured period."""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.client import Client

from trustdesk.encryption import CaseKeys
from trustdesk.privacy import closed_cases_before, end_histories, purge_cases


class PurgeClosedCasesInput(BaseModel):
    cutoff: datetime


class PurgeClosedCasesResult(BaseModel):
    cases: int
    keys_shredded: int
    #: Their Temporal executions deleted (none when the activity has no client).
    executions_deleted: int = 0


class RetentionActivities:
    def __init__(
        self, sessions: sessionmaker[Session], keys: CaseKeys, client: Client | None = None
    ) -> None:
        self._sessions = sessions
        self._keys = keys
        self._client = client

    @activity.defn(name="retention.purge_closed_cases")
    async def purge_closed_cases(self, inp: PurgeClosedCasesInput) -> PurgeClosedCasesResult:
        """The executions first, then the store: a retry after a crash between the two finds
        the same cases (their store rows still hold the conversation), their executions gone."""
        case_ids = await asyncio.to_thread(closed_cases_before, self._sessions, inp.cutoff)
        deleted = 0
        if self._client is not None and case_ids:
            ended = await end_histories(self._client, case_ids, "retention period passed")
            deleted = ended.deleted
        shredded = await asyncio.to_thread(
            purge_cases, self._sessions, self._keys, case_ids, inp.cutoff
        )
        return PurgeClosedCasesResult(
            cases=len(case_ids), keys_shredded=shredded, executions_deleted=deleted
        )
