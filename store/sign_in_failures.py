"""Wrong passwords, counted in the store so that every web process sees the same counts.

One row per failed sign-in (username as typed, normalised; the client's address; when).
`web/review/throttle.py` decides from these counts; rows older than the throttle's window
are deleted as new failures arrive, so the table holds at most one window's failures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import SignInFailureRow

USERNAME_CHARS = 80
ADDRESS_CHARS = 64


def _username(username: str) -> str:
    return username.strip().lower()[:USERNAME_CHARS]


def _address(address: str) -> str:
    return address[:ADDRESS_CHARS]


def record_failure(
    sessions: sessionmaker[Session],
    username: str,
    address: str,
    *,
    now: datetime,
    forget_before: datetime,
    max_rows: int,
) -> None:
    """Count one wrong password; forget failures up to `forget_before`, and the
    oldest ones beyond `max_rows` (a flood from many addresses cannot grow the table)."""
    with sessions.begin() as session:
        session.execute(
            delete(SignInFailureRow)
            .where(SignInFailureRow.failed_at <= forget_before)
            .execution_options(synchronize_session=False)
        )
        kept = session.scalar(select(func.count()).select_from(SignInFailureRow)) or 0
        if kept >= max_rows:
            oldest = (
                select(SignInFailureRow.id)
                .order_by(SignInFailureRow.failed_at, SignInFailureRow.id)
                .limit(kept - max_rows + 1)
                .scalar_subquery()
            )
            session.execute(
                delete(SignInFailureRow)
                .where(SignInFailureRow.id.in_(oldest))
                .execution_options(synchronize_session=False)
            )
        session.add(
            SignInFailureRow(username=_username(username), address=_address(address), failed_at=now)
        )


def recent_failures(
    sessions: sessionmaker[Session],
    *,
    since: datetime,
    limit: int,
    username: str | None = None,
    address: str | None = None,
) -> list[datetime]:
    """The newest `limit` failures after `since` for this username and/or address, newest
    first."""
    query = select(SignInFailureRow.failed_at).where(SignInFailureRow.failed_at > since)
    if username is not None:
        query = query.where(SignInFailureRow.username == _username(username))
    if address is not None:
        query = query.where(SignInFailureRow.address == _address(address))
    query = query.order_by(SignInFailureRow.failed_at.desc()).limit(limit)
    with sessions() as session:
        return list(session.scalars(query))


def clear_failures(sessions: sessionmaker[Session], username: str, address: str) -> None:
    """Forget this username's failures from this address (it signed in)."""
    with sessions.begin() as session:
        session.execute(
            delete(SignInFailureRow)
            .where(
                SignInFailureRow.username == _username(username),
                SignInFailureRow.address == _address(address),
            )
            .execution_options(synchronize_session=False)
        )
