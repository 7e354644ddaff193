"""Customer ratings and operator controls in the store, each change on the audit chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.controls import OperatorControls
from domain.errors import TrustdeskError
from store.audit import append_event
from store.models import CaseRow, CsatRatingRow, OperatorControlRow, utcnow

RATABLE_STATUSES = frozenset({"resolved", "closed"})
RATING_SOURCES = frozenset({"chat", "email"})


class RatingRefused(TrustdeskError):
    """The rating cannot be recorded; `reason` says why, in words for the customer."""

    def __init__(self, reason: str, *, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Rating:
    case_id: str
    score: int
    source: str
    rated_at: datetime
    recorded_now: bool  # False when the same rating was already there


def record_rating(
    sessions: sessionmaker[Session], case_id: str, score: int, *, source: str
) -> Rating:
    """Record the one rating of a resolved case; the same rating again is a no-op."""
    if not 1 <= score <= 5:
        raise RatingRefused("a rating is a whole number from 1 to 5", status=422)
    if source not in RATING_SOURCES:
        raise RatingRefused(f"unknown rating source {source!r}", status=422)
    with sessions() as session:
        case = session.get(CaseRow, case_id)
        if case is None:
            raise RatingRefused("no such conversation", status=404)
        existing = session.get(CsatRatingRow, case_id)
        if existing is not None:
            if existing.score != score:
                raise RatingRefused("this conversation has already been rated", status=409)
            return Rating(case_id, existing.score, existing.source, existing.rated_at, False)
        if case.status not in RATABLE_STATUSES:
            raise RatingRefused("a conversation can be rated once it is resolved", status=409)
        row = CsatRatingRow(case_id=case_id, score=score, source=source, rated_at=utcnow())
        session.add(row)
        append_event(
            session,
            kind="csat.rated",
            actor="customer",
            payload={"score": score, "source": source},
            case_id=case_id,
            event_id=f"{case_id}/csat",
        )
        session.commit()
        return Rating(case_id, score, source, row.rated_at, True)


def ratable(sessions: sessionmaker[Session], case_id: str) -> bool:
    """The case is resolved and not rated yet: a reply to it may offer the rating links."""
    with sessions() as session:
        case = session.get(CaseRow, case_id)
        return (
            case is not None
            and case.status in RATABLE_STATUSES
            and session.get(CsatRatingRow, case_id) is None
        )


@dataclass(frozen=True)
class ControlSetting:
    category: str
    killed: bool
    canary: Decimal | None  # share of cases, 0 to 1
    updated_by: str | None
    updated_at: datetime | None
    from_configuration: bool
    shadow: bool = False  # the agent drafts, a person sends


def _share(basis_points: int | None) -> Decimal | None:
    return None if basis_points is None else Decimal(basis_points) / Decimal(10_000)


def read_controls(
    sessions: sessionmaker[Session],
    *,
    configured_killed: frozenset[str] = frozenset(),
    configured_canary: Mapping[str, Decimal] | None = None,
    configured_shadow: frozenset[str] = frozenset(),
) -> OperatorControls:
    """Configuration's controls, overridden per category by what an admin set in the store."""
    killed = set(configured_killed)
    canary = dict(configured_canary or {})
    shadow = set(configured_shadow)
    with sessions() as session:
        for row in session.scalars(select(OperatorControlRow)):
            (killed.add if row.killed else killed.discard)(row.category)
            (shadow.add if row.shadow else shadow.discard)(row.category)
            share = _share(row.canary_basis_points)
            if share is None:
                canary.pop(row.category, None)
            else:
                canary[row.category] = share
    return OperatorControls(killed=frozenset(killed), canary=canary, shadow=frozenset(shadow))


def control_settings(
    sessions: sessionmaker[Session],
    categories: list[str],
    *,
    configured_killed: frozenset[str] = frozenset(),
    configured_canary: Mapping[str, Decimal] | None = None,
    configured_shadow: frozenset[str] = frozenset(),
) -> list[ControlSetting]:
    """One line per category for the controls page: the effective setting and who set it."""
    configured = dict(configured_canary or {})
    with sessions() as session:
        rows = {r.category: r for r in session.scalars(select(OperatorControlRow))}
    out = []
    for category in categories:
        row = rows.get(category)
        if row is None:
            out.append(
                ControlSetting(
                    category,
                    category in configured_killed,
                    configured.get(category),
                    None,
                    None,
                    True,
                    category in configured_shadow,
                )
            )
        else:
            out.append(
                ControlSetting(
                    category,
                    row.killed,
                    _share(row.canary_basis_points),
                    row.updated_by,
                    row.updated_at,
                    False,
                    row.shadow,
                )
            )
    return out


def set_control(
    sessions: sessionmaker[Session],
    category: str,
    *,
    killed: bool,
    canary: Decimal | None,
    actor: str,
    shadow: bool = False,
) -> None:
    """Store an admin's setting for `category` and audit who changed what, and when."""
    if canary is not None and not Decimal(0) <= canary <= Decimal(1):
        raise ValueError("a canary share is between 0 and 1")
    basis_points = None if canary is None else int(canary * 10_000)
    with sessions() as session:
        row = session.get(OperatorControlRow, category)
        before = (
            None
            if row is None
            else {
                "killed": row.killed,
                "canary": str(_share(row.canary_basis_points)),
                "shadow": row.shadow,
            }
        )
        if row is None:
            row = OperatorControlRow(category=category, updated_by=actor)
            session.add(row)
        row.killed = killed
        row.canary_basis_points = basis_points
        row.shadow = shadow
        row.updated_by = actor
        row.updated_at = utcnow()
        append_event(
            session,
            kind="controls.changed",
            actor=actor,
            payload={
                "category": category,
                "before": before,
                "after": {
                    "killed": killed,
                    "canary": None if canary is None else str(canary),
                    "shadow": shadow,
                },
            },
        )
        session.commit()
