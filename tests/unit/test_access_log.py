"""Chat thread ids (keys to a conversation) never reach the access log."""

from __future__ import annotations

import logging
import logging.config

import pytest

from web.access_log import redact_path, uvicorn_log_config

THREAD = "d3adbeefd3adbeefd3adbeefd3adbeef"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/chat/{THREAD}/messages?after=3",
        f"/chat?thread={THREAD}",
        f"/api/chat/{THREAD}",
        f"/x?a=1&thread_id={THREAD}",
    ],
)
def test_thread_ids_are_redacted(path: str) -> None:
    assert THREAD not in redact_path(path)
    assert "<redacted>" in redact_path(path)


def test_other_paths_are_untouched() -> None:
    assert redact_path("/api/cases/case-webchat-1?x=2") == "/api/cases/case-webchat-1?x=2"


def test_uvicorn_access_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logging.config.dictConfig(uvicorn_log_config())
    access = logging.getLogger("uvicorn.access")
    handler = access.handlers[0]
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    access.info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000", "GET", f"/api/chat/{THREAD}/messages", "1.1", 200,
    )  # fmt: skip
    assert records and THREAD not in records[0] and "/api/chat/<redacted>/messages" in records[0]
