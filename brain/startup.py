"""`python -m brain.startup DATA_DIR`: what loading the brain costs a worker.

Imports the worker's side of the brain, loads the model from DATA_DIR (built there first if
missing), reads one message, and prints the wall time, the peak RSS and whether scikit-learn
was imported (it must not be).
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    started = time.perf_counter()
    from brain.base import TurnContext
    from brain.offline import OfflineBrain

    brain = OfflineBrain.load(Path(sys.argv[1]))
    read = asyncio.run(brain.understand(TurnContext(text="I want to cancel order #W1234567")))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"load and first read {time.perf_counter() - started:.2f}s, peak RSS {peak} MB, "
        f"read as {read.category.value} ({read.language}), "
        f"scikit-learn imported: {'sklearn' in sys.modules}"
    )


if __name__ == "__main__":
    main()
