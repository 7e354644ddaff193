"""Review-UI sessions, CSRF tokens, roles and the approval panel (the sign-in throttle, which
counts in the store, is in tests/integration/test_sign_in_throttle.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from web.review.access import GRANTS, Permission, Reviewer
from web.review.cases import approval_panel
from web.review.login import safe_next
from web.review.session import (
    ReviewSession,
    csrf_matches,
    csrf_token,
    issue_session,
    read_session,
)
from web.users import StaffUser
from workflows.contracts import PendingApproval, Role

SECRET = "unit-test-secret-" + "y" * 32
T0 = 1_800_000_000.0


def test_a_session_cookie_round_trips_and_expires() -> None:
    session, cookie = issue_session("pat", SECRET, now=T0, ttl=timedelta(hours=1))
    assert read_session(cookie, SECRET, now=T0 + 10) == session
    assert session.username == "pat" and session.expires_at == int(T0) + 3600
    assert read_session(cookie, SECRET, now=T0 + 3600) is None
    other, _ = issue_session("pat", SECRET, now=T0)
    assert other.sid != session.sid  # every sign-in is a new session


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),
        lambda c: c.replace("r1.", "r2.", 1),
        lambda c: c.split(".")[0] + "." + c.split(".")[1],
        lambda c: "",
        lambda c: "r1.!!!.???",
        lambda c: c + ".x",
    ],
)
def test_a_tampered_cookie_is_no_session(tamper: object) -> None:
    _, cookie = issue_session("pat", SECRET, now=T0)
    assert read_session(tamper(cookie), SECRET, now=T0) is None  # type: ignore[operator]


def test_a_cookie_from_another_deployment_or_purpose_is_refused() -> None:
    _, cookie = issue_session("pat", SECRET, now=T0)
    assert read_session(cookie, "another-secret-" + "z" * 32, now=T0) is None
    # A forged body with the other part's signature does not verify either.
    _, sue = issue_session("sue", SECRET, now=T0)
    forged = ".".join([*sue.split(".")[:2], cookie.split(".")[2]])
    assert read_session(forged, SECRET, now=T0) is None


def test_csrf_tokens_are_bound_to_their_session() -> None:
    token = csrf_token(SECRET, "sid-1")
    assert csrf_matches(SECRET, "sid-1", token)
    assert not csrf_matches(SECRET, "sid-2", token)
    assert not csrf_matches("another-secret-" + "z" * 32, "sid-1", token)
    assert not csrf_matches(SECRET, "sid-1", None)
    assert not csrf_matches(SECRET, "sid-1", "")
    assert not csrf_matches(SECRET, "", csrf_token(SECRET, ""))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/review/cases/case-webchat-x", "/review/cases/case-webchat-x"),
        ("/review/approvals?risk=high", "/review/approvals?risk=high"),
        ("/reviewer-elsewhere", "/reviewer-elsewhere"),
        ("https://evil.example/review", None),
        ("//evil.example/review", None),
        ("/api/cases", None),
        ("/review\\@evil", None),
        ("/review/\nSet-Cookie", None),
        ("", None),
        (None, None),
    ],
)
def test_only_review_paths_are_followed_after_sign_in(
    target: str | None, expected: str | None
) -> None:
    assert safe_next(target) == expected


def test_roles_grant_what_the_issue_says() -> None:
    assert Permission.DECIDE_APPROVALS in GRANTS[Role.APPROVER]
    assert Permission.DECIDE_APPROVALS in GRANTS[Role.SENIOR_APPROVER]
    assert Permission.DECIDE_APPROVALS not in GRANTS[Role.AGENT]
    assert Permission.DECIDE_APPROVALS not in GRANTS[Role.ADMIN]
    assert Permission.HANDLE_HANDOFFS in GRANTS[Role.AGENT]
    assert Permission.HANDLE_HANDOFFS not in GRANTS[Role.APPROVER]
    assert Permission.VIEW_APPROVALS not in GRANTS[Role.AGENT]
    assert [r for r, p in GRANTS.items() if Permission.ADMINISTER in p] == [Role.ADMIN]
    for permission in (Permission.VIEW_DEAD_LETTERS, Permission.RETRY_DELIVERY):
        assert [r for r, p in GRANTS.items() if permission in p] == [Role.AGENT, Role.ADMIN]


def test_several_roles_grant_what_any_of_them_grants_and_act_under_the_strongest() -> None:
    both = reviewer("kim", Role.AGENT, "300", Role.APPROVER)
    assert both.can(Permission.HANDLE_HANDOFFS) and both.can(Permission.DECIDE_APPROVALS)
    assert not both.can(Permission.ADMINISTER)
    assert both.user.acting_role is Role.APPROVER and both.home == "/review/approvals"
    assert both.user.roles_text == "approver, agent"
    senior = reviewer("sue", Role.APPROVER, None, Role.SENIOR_APPROVER, Role.ADMIN)
    assert senior.user.acting_role is Role.SENIOR_APPROVER
    assert senior.can(Permission.ADMINISTER) and senior.can(Permission.DECIDE_APPROVALS)
    agent = reviewer("al", Role.AGENT)
    assert agent.home == "/review/handoffs" and not agent.can(Permission.DECIDE_APPROVALS)
    with pytest.raises(ValueError, match="at least one role"):
        StaffUser("nobody", frozenset(), None)


# --- what the case page says a reviewer may do -------------------------------------------------


def reviewer(name: str, role: Role, limit: str | None = None, *more: Role) -> Reviewer:
    user = StaffUser(name, frozenset({role, *more}), Decimal(limit) if limit else None)
    return Reviewer(user, ReviewSession("sid", name, 0, 1), "token")


def pending(
    amount: str, tier: str, action: str = "return_items", **extra: object
) -> PendingApproval:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return PendingApproval(
        approval_id="case-x/approval-1",
        action=action,
        command={},
        summary="",
        amount=Decimal(amount),
        tier=tier,
        risk="high",
        rules=[],
        reasons=[],
        requested_at=now,
        due_at=now + timedelta(hours=4),
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("who", "request_", "blocked", "approve_blocked", "reducible"),
    [
        (reviewer("pat", Role.APPROVER, "1000"), pending("899", "approver"), None, None, True),
        (
            reviewer("lou", Role.APPROVER, "500"),
            pending("899", "approver"),
            None,
            "899.00 is above your approval limit of 500.00.",
            True,
        ),
        (
            reviewer("pat", Role.APPROVER, "5000"),
            pending("2400", "senior_approver"),
            "This amount needs a senior approver.",
            "This amount needs a senior approver.",
            True,
        ),
        (
            reviewer("sue", Role.SENIOR_APPROVER),
            pending("1899", "approver", "cancel_order"),
            None,
            None,
            False,
        ),
        # Four eyes: the first approver cannot be the second.
        (
            reviewer("sue", Role.SENIOR_APPROVER),
            pending("9000", "senior_approver", four_eyes=True, approvals=["sue"]),
            "You have already approved this request.",
            "You have already approved this request.",
            True,
        ),
        (
            reviewer("sam", Role.SENIOR_APPROVER),
            pending("9000", "senior_approver", four_eyes=True, approvals=["sue"]),
            None,
            None,
            True,
        ),
    ],
)
def test_the_approval_panel_says_up_front_what_would_be_refused(
    who: Reviewer,
    request_: PendingApproval,
    blocked: str | None,
    approve_blocked: str | None,
    reducible: bool,
) -> None:
    panel = approval_panel(who, request_)
    assert panel is not None and panel.may_decide
    assert (panel.blocked, panel.approve_blocked, panel.reducible) == (
        blocked,
        approve_blocked,
        reducible,
    )
    assert panel.approvals_needed == (2 if request_.four_eyes else 1)


def test_people_who_do_not_decide_see_the_request_without_forms() -> None:
    for role in (Role.AGENT, Role.ADMIN):
        panel = approval_panel(reviewer("x", role), pending("899", "approver"))
        assert panel is not None and not panel.may_decide
    assert approval_panel(reviewer("pat", Role.APPROVER), None) is None
