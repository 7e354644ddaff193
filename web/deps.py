"""Request dependencies: the app's settings, store, case gateway and the signed-in user.

Everything a route needs arrives through an `Annotated` dependency, so tests build
the app with their own gateway and store and nothing reads globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from trustdesk.approval_keys import ApprovalSigner
from trustdesk.config import Settings
from web.auth import InvalidToken, read_access_token
from web.users import StaffUser, load_user
from workflows.gateway import CaseGateway


@dataclass
class WebContext:
    """What the app was built with; kept on `app.state.web`."""

    settings: Settings
    secret: str
    sessions: sessionmaker[Session]
    gateway: CaseGateway | None
    max_message_chars: int
    approval_signer: ApprovalSigner | None = None


def _context(request: Request) -> WebContext:
    found: WebContext = request.app.state.web
    return found


Context = Annotated[WebContext, Depends(_context)]


def _sessions(ctx: Context) -> sessionmaker[Session]:
    return ctx.sessions


def _gateway(ctx: Context) -> CaseGateway:
    if ctx.gateway is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "not connected to Temporal yet")
    return ctx.gateway


Sessions = Annotated[sessionmaker[Session], Depends(_sessions)]
Gateway = Annotated[CaseGateway, Depends(_gateway)]

_bearer = HTTPBearer(
    auto_error=False,
    description="A token from POST /api/auth/token.",
)

_UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


def _current_user(
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    """The user a valid bearer token names, read fresh from the store (role, limit, enabled)."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first", headers=_UNAUTHORISED)
    try:
        username, generation = read_access_token(credentials.credentials, ctx.secret)
    except InvalidToken:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the token is invalid or expired", headers=_UNAUTHORISED
        ) from None
    found = load_user(ctx.sessions, username)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the token's user no longer exists or is disabled",
            headers=_UNAUTHORISED,
        )
    if not found[0].accepts(generation):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the token was revoked", headers=_UNAUTHORISED
        )
    return found[0]


CurrentUser = Annotated[StaffUser, Depends(_current_user)]
