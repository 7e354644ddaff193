"""Who may see and do what in the review UI, and the dependencies that enforce it.

Every page asks for a `Reviewer` (a signed-in user, read fresh from the store);
every form posts to a route that asks for a `PostingReviewer`, which also checks
the form's CSRF token. A route then calls `require(reviewer, permission)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request

from web.deps import Context
from web.review.session import (
    SESSION_COOKIE,
    ReviewSession,
    csrf_matches,
    csrf_token,
    read_session,
)
from web.review.throttle import LoginThrottle
from web.users import StaffUser, load_user, session_revoked
from workflows.contracts import Role


class Permission(StrEnum):
    VIEW_CASES = "view cases"
    VIEW_APPROVALS = "view the approvals queue"
    DECIDE_APPROVALS = "decide approvals"
    VIEW_HANDOFFS = "view the handoff inbox"
    HANDLE_HANDOFFS = "answer handoffs"
    VIEW_METRICS = "view metrics"
    VIEW_DEAD_LETTERS = "view undelivered replies"
    RETRY_DELIVERY = "retry undelivered replies"
    READ_MAIL_SINK = "read the local mail sink"
    ADMINISTER = "administer users and policy"


_EVERYONE = {Permission.VIEW_CASES, Permission.VIEW_METRICS}
#: Replies that never reached the customer: support agents and admins fix the cause and retry.
_DEAD_LETTERS = {Permission.VIEW_DEAD_LETTERS, Permission.RETRY_DELIVERY}
#: The local mail sink holds one-time codes: only support agents and admins read it.
_MAIL = {Permission.READ_MAIL_SINK}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset(
        _EVERYONE
        | _DEAD_LETTERS
        | _MAIL
        | {Permission.VIEW_HANDOFFS, Permission.HANDLE_HANDOFFS}
    ),
    Role.APPROVER: frozenset(_EVERYONE | {Permission.VIEW_APPROVALS, Permission.DECIDE_APPROVALS}),
    Role.SENIOR_APPROVER: frozenset(
        _EVERYONE | {Permission.VIEW_APPROVALS, Permission.DECIDE_APPROVALS}
    ),
    Role.ADMIN: frozenset(
        _EVERYONE
        | _DEAD_LETTERS
        | _MAIL
        | {Permission.VIEW_APPROVALS, Permission.VIEW_HANDOFFS, Permission.ADMINISTER}
    ),
}
HOME: dict[Role, str] = {
    Role.AGENT: "/review/handoffs",
    Role.APPROVER: "/review/approvals",
    Role.SENIOR_APPROVER: "/review/approvals",
    Role.ADMIN: "/review/approvals",
}


class ReviewError(Exception):
    """A review-UI request refused or failed; rendered as an HTML page with `status`."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


class LoginRequired(Exception):
    """No valid session: the browser is sent to the sign-in page, then back to `next`."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass
class ReviewState:
    """The review UI's per-process state, kept on `app.state.review`."""

    #: Counts wrong passwords in the store, shared by every web process.
    throttle: LoginThrottle
    #: How often pages refresh their live parts in the browser, in milliseconds.
    refresh_ms: int = 4000


def review_state(request: Request) -> ReviewState:
    found: ReviewState = request.app.state.review
    return found


State = Annotated[ReviewState, Depends(review_state)]


@dataclass(frozen=True)
class Reviewer:
    user: StaffUser
    session: ReviewSession
    csrf: str

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def roles(self) -> frozenset[Role]:
        return self.user.roles

    @property
    def home(self) -> str:
        return HOME[self.user.acting_role]

    def can(self, permission: Permission | str) -> bool:
        """Whether any of the reviewer's roles grants `permission`."""
        return any(Permission(permission) in GRANTS[role] for role in self.user.roles)


def require(reviewer: Reviewer, permission: Permission) -> None:
    """403 unless one of the reviewer's roles grants `permission`."""
    if not reviewer.can(permission):
        held = reviewer.user.roles_text
        noun = "role" if len(reviewer.roles) == 1 else "roles"
        raise ReviewError(403, "Not allowed", f"Your {noun} ({held}) cannot {permission.value}.")


def signed_in(request: Request, ctx: Context) -> Reviewer | None:
    """The reviewer behind this request's session cookie, or None."""
    session = read_session(request.cookies.get(SESSION_COOKIE), ctx.secret)
    if session is None or session_revoked(ctx.sessions, session.sid):
        return None
    found = load_user(ctx.sessions, session.username)
    if found is None or not found[0].accepts(session.generation):
        return None
    return Reviewer(found[0], session, csrf_token(ctx.secret, session.sid))


def _reviewer(request: Request, ctx: Context) -> Reviewer:
    reviewer = signed_in(request, ctx)
    if reviewer is None:
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise LoginRequired(target if request.method == "GET" else "/review")
    return reviewer


ReviewerDep = Annotated[Reviewer, Depends(_reviewer)]


async def _posting_reviewer(request: Request, reviewer: ReviewerDep, ctx: Context) -> Reviewer:
    form = await request.form()
    token = form.get("csrf_token")
    if not csrf_matches(
        ctx.secret, reviewer.session.sid, token if isinstance(token, str) else None
    ):
        raise ReviewError(
            403,
            "Form expired",
            "This form is missing its security token or the token is out of date. "
            "Go back, reload the page and try again.",
        )
    return reviewer


PostingReviewer = Annotated[Reviewer, Depends(_posting_reviewer)]
