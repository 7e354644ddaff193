"""The Temporal UI's remote codec: staff with the right role read decoded case histories.

The UI (started with `--ui-codec-endpoint http://<web>/review/codec`) posts a history's
payloads to `/review/codec/decode` (the remote codec protocol) from its own origin, with
the browser's credentials; this answers only a signed-in reviewer (the review UI's session
cookie) or a bearer token whose role may read histories, and only for the UI's origin.
Payloads whose case was erased stay sealed.
"""

from __future__ import annotations

import base64
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from temporalio.api.common.v1 import Payload

from trustdesk.encryption import CaseKeyCodec, CaseKeys, KeyShreddedError, MasterKeys
from web.auth import InvalidToken, decode_access_token
from web.deps import Context, WebContext, _bearer
from web.review.access import signed_in
from web.users import StaffUser, load_user
from workflows.contracts import Role

# Under /review so the review session cookie (path /review) reaches it from the UI.
router = APIRouter(prefix="/review/codec", tags=["codec"])

#: Who may read decoded histories: they hold customers' conversations and addresses.
HISTORY_READERS = frozenset({Role.ADMIN, Role.SENIOR_APPROVER, Role.APPROVER})
MAX_PAYLOADS = 10_000


class JSONPayload(BaseModel):
    metadata: dict[str, str] = Field(default_factory=dict)
    data: str = ""


class Payloads(BaseModel):
    payloads: list[JSONPayload] = Field(max_length=MAX_PAYLOADS)


def _allowed_origins(ctx: WebContext) -> set[str]:
    ui = ctx.settings.temporal_ui_url
    return {ui, ui.replace("127.0.0.1", "localhost")}


def _cors(request: Request, response: Response, ctx: WebContext) -> None:
    origin = request.headers.get("origin")
    if origin in _allowed_origins(ctx):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"


def _reader(
    request: Request,
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    user: StaffUser | None = None
    if credentials is not None:
        try:
            found = load_user(
                ctx.sessions, decode_access_token(credentials.credentials, ctx.secret)
            )
        except InvalidToken:
            found = None
        user = found[0] if found is not None else None
    else:
        reviewer = signed_in(request, ctx)
        user = reviewer.user if reviewer is not None else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in to the review UI first")
    if not user.roles & HISTORY_READERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your roles cannot read case histories")
    return user


def _keys(request: Request, ctx: WebContext) -> CaseKeys:
    keys: CaseKeys | None = getattr(request.app.state, "codec_keys", None)
    if keys is None:
        active, masters = ctx.settings.master_keys()
        keys = CaseKeys(ctx.sessions, MasterKeys(active, masters))
        request.app.state.codec_keys = keys
    return keys


def _to_proto(item: JSONPayload) -> Payload:
    try:
        return Payload(
            metadata={k: base64.b64decode(v, validate=True) for k, v in item.metadata.items()},
            data=base64.b64decode(item.data, validate=True),
        )
    except ValueError:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "payload metadata and data must be base64"
        ) from None


def _to_json(payload: Payload) -> dict[str, Any]:
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


@router.options("/decode", include_in_schema=False)
async def decode_preflight(request: Request, ctx: Context) -> Response:
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _cors(request, response, ctx)
    if "Access-Control-Allow-Origin" in response.headers:
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = (
            "Content-Type, Authorization, X-Namespace"
        )
    return response


@router.post("/decode")
async def decode(
    body: Payloads,
    request: Request,
    response: Response,
    ctx: Context,
    _user: Annotated[StaffUser, Depends(_reader)],
) -> dict[str, list[dict[str, Any]]]:
    """Decode payloads for the Temporal UI; an erased case's payloads come back sealed."""
    _cors(request, response, ctx)
    codec = CaseKeyCodec(_keys(request, ctx))
    out = []
    for item in body.payloads:
        payload = _to_proto(item)
        with contextlib.suppress(KeyShreddedError):  # erased: it stays ciphertext
            [payload] = await codec.decode([payload])
        out.append(_to_json(payload))
    return {"payloads": out}
