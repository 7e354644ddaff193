"""`POST /api/auth/token`: staff sign in with a username and password for a bearer token."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from web.auth import MAX_PASSWORD_CHARS, TOKEN_TTL, create_access_token, verify_password
from web.deps import Context
from web.review.throttle import request_address
from web.users import load_user

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


@router.post(
    "/token",
    response_model=AccessToken,
    summary="Exchange a username and password for a bearer token",
    responses={
        401: {"description": "Wrong username or password."},
        429: {"description": "Too many wrong passwords for this account or from this client."},
    },
)
def issue_token(credentials: Credentials, request: Request, ctx: Context) -> AccessToken:
    throttle = request.app.state.review.throttle
    address = request_address(request, ctx)
    wait = throttle.retry_after(credentials.username, address)
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many wrong passwords; try again in {wait} seconds",
            headers={"Retry-After": str(wait)},
        )
    found = load_user(ctx.sessions, credentials.username)
    stored_hash = found[1] if found else None
    if not verify_password(credentials.password, stored_hash) or found is None:
        throttle.failed(credentials.username, address)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    throttle.succeeded(credentials.username, address)
    return AccessToken(
        access_token=create_access_token(
            found[0].username, ctx.secret, generation=found[0].generation
        ),
        expires_in=int(TOKEN_TTL.total_seconds()),
    )
