"""Wrong passwords, counted in the store so that every web process sees the same counts.

One row per failed sign-in (username as typed, normalised; the client's address; when).
`web/review/throttle.py` decides from these counts.

The table is bounded whatever clients send. Each new failure first deletes the rows whose
window has passed, so the table holds one window's failures; and at most `max_rows` of
them: beyond that, the oldest rows go, those for names that are no account first. A flood
of made-up usernames from made-up addresses therefore pushes out only its own rows, and
a real account's failures stay counted, so its throttle holds through the flood. (Rows
for real accounts are few in any case: each account is paused after the throttle's
per-account limit, so one window holds at most that many per account.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import SignInFailureRow, UserRow

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
    """Count one wrong password; forget failures up to `forget_before`, and keep at most
    `max_rows` (the oldest beyond it go, those for names that are no account first)."""
    with sessions.begin() as session:
        session.execute(
            delete(SignInFailureRow)
            .where(SignInFailureRow.failed_at <= forget_before)
            .execution_options(synchronize_session=False)
        )
        kept = session.scalar(select(func.count()).select_from(SignInFailureRow)) or 0
        excess = kept - max_rows + 1  # to make room for the row added below
        if excess > 0:
            excess -= _forget_oldest(session, excess, only_unknown_names=True)
        if excess > 0:
            _forget_oldest(session, excess, only_unknown_names=False)
        session.add(
            SignInFailureRow(username=_username(username), address=_address(address), failed_at=now)
        )


def _forget_oldest(session: Session, count: int, *, only_unknown_names: bool) -> int:
    """Delete the `count` oldest failures (only those for names no account has, if asked);
    how many were deleted."""
    oldest = select(SignInFailureRow.id)
    if only_unknown_names:
        accounts = select(func.lower(UserRow.username))
        oldest = oldest.where(SignInFailureRow.username.not_in(accounts))
    ids = list(
        session.scalars(
            oldest.order_by(SignInFailureRow.failed_at, SignInFailureRow.id).limit(count)
        )
    )
    if ids:
        session.execute(
            delete(SignInFailureRow)
            .where(SignInFailureRow.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return len(ids)


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
