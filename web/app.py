"""The FastAPI application and `trustdesk web`.

`create_app(settings)` is everything the web process serves: the chat page, the
HTTP API (OpenAPI at /docs and /openapi.json), the review UI (`web/review`) and the
Prometheus metrics (`web/monitoring`). Given no `CaseGateway`, it connects to Temporal
when the app starts; tests hand it one bound to their own worker and store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.orm import Session, sessionmaker
from temporalio.service import RPCError, RPCStatusCode

import trustdesk
from trustdesk.approval_keys import ApprovalSigner, signing_key
from trustdesk.config import Settings
from trustdesk.temporal_client import connect
from web.deps import WebContext
from web.monitoring import install as install_monitoring
from web.review import install as install_review
from web.routers import (
    approvals,
    cases,
    channels,
    chat,
    codec,
    health,
    messages,
    pages,
    ratings,
    tokens,
)
from web.routers.messages import validation_reason
from workflows.contracts import MAX_MESSAGE_CHARS
from workflows.gateway import CaseGateway

log = logging.getLogger("trustdesk.web")

#: Requests with a larger body are refused with 413 before anything parses them.
MAX_BODY_BYTES = 64 * 1024
CONNECT_ATTEMPTS = 30

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """Refuse request bodies above `max_bytes` with 413, whether or not they declare a length.

    The body is read (up to the limit) before the application sees it, then replayed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                if int(declared) > self.max_bytes:
                    await self._too_large(send)
                    return
            except ValueError:
                await _json(send, status.HTTP_400_BAD_REQUEST, "invalid Content-Length")
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await _json(
            send,
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the request body is larger than {self.max_bytes} bytes",
        )


async def _json(send: Send, code: int, detail: str) -> None:
    response = JSONResponse({"detail": detail}, status_code=code, headers={"Connection": "close"})
    await send(
        {"type": "http.response.start", "status": code, "headers": response.raw_headers}
    )
    await send({"type": "http.response.body", "body": response.body})


async def _connect_with_retry(settings: Settings) -> Any:
    delay = 0.2
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return await connect(settings, "web")
        except RuntimeError as exc:  # the SDK reports a failed connection as RuntimeError
            if attempt == CONNECT_ATTEMPTS:
                raise
            log.warning(
                "Temporal at %s not reachable yet (%s); retrying", settings.temporal_address, exc
            )
            await asyncio.sleep(delay)  # a back-off between connection attempts
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


def create_app(
    settings: Settings,
    gateway: CaseGateway | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> FastAPI:
    """The web application; connects to Temporal at start-up unless given a gateway."""
    owned_engine = None
    if sessions is None:
        from store.db import make_engine, session_factory

        owned_engine = make_engine(settings.store_url)
        sessions = session_factory(owned_engine)
    context = WebContext(
        settings=settings,
        secret=settings.secret(),
        sessions=sessions,
        gateway=gateway,
        max_message_chars=min(settings.max_message_chars, MAX_MESSAGE_CHARS),
        approval_signer=ApprovalSigner(signing_key(settings)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if context.gateway is None:
            client = await _connect_with_retry(settings)
            context.gateway = CaseGateway(
                client, settings.task_queue, settings.policy.approval_sla_minutes
            )
            log.info("connected to Temporal at %s", settings.temporal_address)
        try:
            yield
        finally:
            if owned_engine is not None:
                owned_engine.dispose()

    # /docs and /redoc serve Swagger UI and ReDoc from the fastapi-offline wheel, never a
    # CDN, and Swagger UI's online validator is off: the docs work with no network.
    app = FastAPIOffline(
        title="Trustdesk",
        version=trustdesk.__version__,
        summary="A self-hostable AI customer-support agent that acts safely and explains itself.",
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.web = context
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The input is not echoed back: it may be large, or something a customer typed.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": errors, "reason": validation_reason(errors)},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(RPCError)
    async def _temporal(request: Request, exc: RPCError) -> JSONResponse:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return JSONResponse({"detail": "no such case"}, status_code=status.HTTP_404_NOT_FOUND)
        log.warning("Temporal call failed: %s", exc)
        return JSONResponse(
            {"detail": "the case service is unavailable; try again shortly"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    for module in (
        health, messages, chat, ratings, channels, cases, approvals, tokens, pages, codec
    ):
        app.include_router(module.router)
    install_review(app)
    install_monitoring(app, context)
    return app


def run_web(settings: Settings) -> int:
    """`trustdesk web`: migrate the store, then serve the app on the configured address."""
    import uvicorn

    from store.audit import anchor_for, configure_anchor
    from store.db import migrate
    from web.access_log import uvicorn_log_config

    migrate(settings.store_url)
    configure_anchor(anchor_for(settings.secret(), settings.audit_checkpoints))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    print(f"web       serving on http://{settings.web_host}:{settings.web_port}", flush=True)
    uvicorn.run(
        create_app(settings),
        host=settings.web_host,
        port=settings.web_port,
        log_level="info",
        log_config=uvicorn_log_config(),
        proxy_headers=False,
    )
    return 0
