"""A customer's earlier cases, as the person taking over a new one reads them.

Read only with the customer's `past_cases` consent (`domain.consent`): the caller checks
it (`graph.nodes.gather_context`). Each case is named by its id, its topic and how it
ended (its status and the actions that ran in it); never its messages.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.consent import EarlierCase
from store.db import read_only
from store.models import ActionRecordRow, CaseRow

#: How many earlier cases a handoff record lists, newest first.
EARLIER_CASES_SHOWN = 5


def earlier_cases(
    sessions: sessionmaker[Session],
    customer_id: str,
    *,
    exclude: str,
    limit: int = EARLIER_CASES_SHOWN,
) -> list[EarlierCase]:
    """The customer's other cases, newest first (at most `limit`), `exclude` left out."""
    with read_only(sessions) as session:
        rows = session.scalars(
            select(CaseRow)
            .where(CaseRow.customer_id == customer_id, CaseRow.id != exclude)
            .order_by(CaseRow.created_at.desc(), CaseRow.id)
            .limit(limit)
        ).all()
        found = []
        for row in rows:
            actions = session.scalars(
                select(ActionRecordRow.action)
                .where(ActionRecordRow.idempotency_key.startswith(f"{row.id}/", autoescape=True))
                .order_by(ActionRecordRow.created_at, ActionRecordRow.idempotency_key)
            ).all()
            found.append(
                EarlierCase(row.id, row.category, row.status, tuple(actions), row.created_at)
            )
        return found
