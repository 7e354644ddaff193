"""Recording workflow histories for the replay suite.

Run the workflow tests with `TRUSTDESK_RECORD_HISTORIES=1` to refresh the files in
`tests/replay/histories/`; commit them when the workflow changes on purpose.
"""

from __future__ import annotations

import os
from pathlib import Path

from temporalio.client import WorkflowHandle

HISTORIES = Path(__file__).with_name("histories")


async def record_history(handle: WorkflowHandle, name: str) -> None:  # type: ignore[type-arg]
    if os.environ.get("TRUSTDESK_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())
