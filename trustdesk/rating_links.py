"""Signed rating links for resolution emails: `/rate/<token>?score=N` records a rating of
the case the token names, without signing in. The token is a JWT under a key derived
from the web process's secret for this purpose alone, and expires after `LINK_TTL`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from web.auth import derive_key

LINK_TTL = timedelta(days=30)
_PURPOSE = "csat-link"
_ALGORITHM = "HS256"


class BadRatingLink(ValueError):
    """The link was not signed with this secret, or names no case."""


class ExpiredRatingLink(BadRatingLink):
    """The link was signed here but is older than `LINK_TTL`."""


def rating_token(secret: str, case_id: str, *, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"case": case_id, "iat": issued, "exp": issued + LINK_TTL, "aud": _PURPOSE}
    return jwt.encode(claims, derive_key(secret, _PURPOSE), algorithm=_ALGORITHM)


def rating_links(secret: str, base_url: str, case_id: str) -> dict[int, str]:
    """One link per score, 1 to 5."""
    token = rating_token(secret, case_id)
    return {score: f"{base_url.rstrip('/')}/rate/{token}?score={score}" for score in range(1, 6)}


def case_of_rating_token(secret: str, token: str) -> str:
    try:
        claims = jwt.decode(
            token, derive_key(secret, _PURPOSE), algorithms=[_ALGORITHM], audience=_PURPOSE
        )
    except jwt.ExpiredSignatureError as exc:
        raise ExpiredRatingLink("this rating link has expired") from exc
    except jwt.PyJWTError as exc:
        raise BadRatingLink("this rating link is not valid") from exc
    case_id = claims.get("case")
    if not isinstance(case_id, str):
        raise BadRatingLink("this rating link is not valid")
    return case_id
