"""Which brain a worker runs, and which accuracy-gate result it trusts for it."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from brain.base import TurnContext, Understanding
from brain.claude import ClaudeBrain
from brain.gate_subjects import BrainGateSubject, claude_fingerprint, recorded_autonomy
from brain.offline import OfflineBrain
from brain.validation import (
    History,
    autonomy_document,
    autonomy_path,
    validate,
    write_autonomy,
)
from domain.dialogue import Category
from domain.gate import Outcome, measure
from store.db import migrate
from tests.unit.test_claude_brain import API_KEY, MessagesAPI
from trustdesk.config import Settings
from workers.agent import build_deps

MODEL = "claude-sonnet-4-6"


class KeywordBrain:
    """A stand-in brain: sure about cancellations, unsure about everything else."""

    name = "keywords"

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def understand(self, turn: TurnContext) -> Understanding:
        self.seen.append(turn.text)
        if "cancel" in turn.text:
            return Understanding(category=Category.CANCEL_ORDER, confidence=0.9)
        return Understanding(category=Category.OTHER, confidence=0.2)

    async def compose(self, request: object) -> object:  # pragma: no cover - not measured
        raise NotImplementedError


def test_a_brain_is_measured_through_understand_and_unsure_answers_abstain() -> None:
    brain = KeywordBrain()
    subject = BrainGateSubject(brain, "keywords:1")
    history = History(
        examples=[
            ("please cancel it", "cancel_order"),
            ("where is it", "order_status"),
        ],
        skipped=0,
        source="test",
    )
    report = validate(subject, history, threshold=0.2)
    assert brain.seen == ["please cancel it", "where is it"]
    assert report.score_of(Category.CANCEL_ORDER).correct == 1
    status = report.score_of(Category.ORDER_STATUS)
    # Unsure, so not acted on: no answer given for it, and none wrong elsewhere.
    assert (status.n, status.given, status.correct) == (1, 0, 0)
    assert report.score_of(Category.OTHER).given == 0
    assert report.autonomous() == {Category.CANCEL_ORDER}


def test_claude_is_measured_over_the_messages_api() -> None:
    api = MessagesAPI((200, "understand_cancel.json"), (200, "understand_cancel.json"))
    settings = Settings(anthropic_api_key=API_KEY, anthropic_model=MODEL)
    brain = ClaudeBrain.from_settings(
        settings, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(api))
    )
    subject = BrainGateSubject(brain, claude_fingerprint(MODEL))
    predictions = subject.predict_many(["cancel #W1000002 please", "scrap my order #W1000002"])
    assert [p.category for p in predictions] == [Category.CANCEL_ORDER] * 2
    assert len(api.requests) == 2


def record(data_dir: Path, model: str, autonomous: set[Category]) -> None:
    report = measure(
        [Outcome(c.value, c.value, True) for c in autonomous for _ in range(80)], threshold=0.95
    )
    write_autonomy(autonomy_path(data_dir), autonomy_document(report, model=model, source="test"))


def test_a_claude_worker_trusts_only_a_result_recorded_for_its_model(tmp_path: Path) -> None:
    said: list[str] = []
    fingerprint = claude_fingerprint(MODEL)
    assert recorded_autonomy(tmp_path, fingerprint, say=said.append) == frozenset()
    assert "trustdesk validate" in said[-1]

    record(tmp_path, claude_fingerprint("some-older-model"), {Category.CANCEL_ORDER})
    assert recorded_autonomy(tmp_path, fingerprint, say=said.append) == frozenset()

    record(tmp_path, fingerprint, {Category.CANCEL_ORDER, Category.COMPLAINT})
    assert recorded_autonomy(tmp_path, fingerprint, say=said.append) == {
        "cancel_order",
        "complaint",
    }


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data dir (and one trained offline model) for the worker-selection tests."""
    path = tmp_path_factory.mktemp("brains")
    migrate(f"sqlite:///{path / 'trustdesk.db'}")
    return path


def test_with_a_key_the_worker_runs_claude_and_acts_only_where_claude_was_measured(
    data_dir: Path,
) -> None:
    settings = Settings(data_dir=data_dir, anthropic_api_key=API_KEY, anthropic_model=MODEL)
    autonomy_path(data_dir).unlink(missing_ok=True)
    deps = build_deps(settings)
    assert isinstance(deps.brain, ClaudeBrain)
    assert deps.autonomous_categories == frozenset()

    # Only the handled categories among those measured count.
    record(data_dir, claude_fingerprint(MODEL), {Category.CANCEL_ORDER, Category.COMPLAINT})
    assert build_deps(settings).autonomous_categories == {"cancel_order"}


def test_without_a_key_the_worker_runs_the_offline_brain(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, anthropic_api_key=None)
    autonomy_path(data_dir).unlink(missing_ok=True)
    deps = build_deps(settings)
    assert isinstance(deps.brain, OfflineBrain)
    # The gate measured the offline classifier on the shipped split and recorded it.
    assert autonomy_path(data_dir).exists()
