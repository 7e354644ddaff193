"""The access log without conversation secrets.

A web-chat thread id is the customer's key to their conversation (whoever has it can
read the transcript), so it must not be written to the access log, where operators,
log shippers and backups would all hold it. `RedactThreadIds` rewrites the path uvicorn
logs: `/api/chat/<thread>/…` and `thread`/`thread_id` query values become `<redacted>`.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

_CHAT_PATH = re.compile(r"(/api/chat/)[^/?#\s]+")
_THREAD_QUERY = re.compile(r"([?&](?:thread|thread_id)=)[^&#\s]*")
REDACTED = "<redacted>"


def redact_path(path: str) -> str:
    return _THREAD_QUERY.sub(rf"\g<1>{REDACTED}", _CHAT_PATH.sub(rf"\g<1>{REDACTED}", path))


class RedactThreadIds(logging.Filter):
    """For uvicorn's access logger, whose record args are (client, method, path, …)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the access log redacted."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_thread_ids"] = {"()": RedactThreadIds}
    config["handlers"]["access"]["filters"] = ["redact_thread_ids"]
    return config
