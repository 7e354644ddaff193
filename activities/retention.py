"""Retention: purge the conversation of closed cases older than the configured period."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from trustdesk.encryption import CaseKeys
from trustdesk.privacy import purge_closed_cases


class PurgeClosedCasesInput(BaseModel):
    cutoff: datetime


class PurgeClosedCasesResult(BaseModel):
    cases: int
    keys_shredded: int


class RetentionActivities:
    def __init__(self, sessions: sessionmaker[Session], keys: CaseKeys) -> None:
        self._sessions = sessions
        self._keys = keys

    @activity.defn(name="retention.purge_closed_cases")
    def purge_closed_cases(self, inp: PurgeClosedCasesInput) -> PurgeClosedCasesResult:
        cases, shredded = purge_closed_cases(self._sessions, self._keys, inp.cutoff)
        return PurgeClosedCasesResult(cases=cases, keys_shredded=shredded)
