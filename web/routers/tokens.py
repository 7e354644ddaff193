"""`POST /api/auth/token`: staff sign in with a username and password for a bearer token."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from web.auth import MAX_PASSWORD_CHARS, TOKEN_TTL, create_access_token, verify_password
from web.deps import Context
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
    responses={401: {"description": "Wrong username or password."}},
)
def issue_token(credentials: Credentials, ctx: Context) -> AccessToken:
    found = load_user(ctx.sessions, credentials.username)
    stored_hash = found[1] if found else None
    if not verify_password(credentials.password, stored_hash) or found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return AccessToken(
        access_token=create_access_token(found[0].username, ctx.secret),
        expires_in=int(TOKEN_TTL.total_seconds()),
    )
