"""`trustdesk validate` and `trustdesk classify`, the autonomy file, and the worker reading it."""

from __future__ import annotations

import csv
import io
import json
import re
from argparse import Namespace
from pathlib import Path

import pytest

from brain.classifier import fingerprint_of
from brain.training import install, shipped_model
from brain.validation import (
    PINNED_SOURCE,
    SHIPPED_SOURCE,
    OfflineReading,
    autonomy_path,
    ensure_autonomy,
    pin_autonomy,
    read_autonomy,
    shipped_history,
    shipped_split_fingerprint,
    validate,
)
from domain.dialogue import HANDLED, Category
from domain.gate import LABELS
from trustdesk.brain_cli import format_table, run_classify
from trustdesk.cli import main
from trustdesk.config import Settings
from workers.agent import build_deps

ROOT = Path(__file__).resolve().parents[2]


def test_validate_prints_the_table_and_writes_the_autonomy_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install(tmp_path)
    assert main(["validate", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    report = validate(OfflineReading(shipped_model()), shipped_history())
    assert format_table(report) in out
    for label in LABELS:
        assert re.search(rf"^\| {label} \| \d+ \| [\d.]+ \| \d+ \| \d+ \| ", out, re.MULTILINE)
    assert "out_of_scope: " in out and "| es |" in out  # the confusion and the languages
    doc = read_autonomy(autonomy_path(tmp_path))
    assert doc is not None
    assert doc["source"] == SHIPPED_SOURCE and doc["model"] == shipped_model().fingerprint
    assert doc["autonomous"] == sorted(c.value for c in report.autonomous())
    assert doc["threshold"] == 0.95
    # The agent reads the confidence it may act on per category.
    assert doc["acting_thresholds"] == shipped_model().thresholds
    cancel = doc["categories"]["cancel_order"]
    assert cancel["n"] == report.score_of(Category.CANCEL_ORDER).n
    assert cancel["given"] == report.score_of(Category.CANCEL_ORDER).given


def test_the_docs_show_the_current_table() -> None:
    """docs/brain.md quotes `trustdesk validate` on the shipped split; it must not go stale."""
    report = validate(OfflineReading(shipped_model()), shipped_history())
    assert format_table(report) in (ROOT / "docs" / "brain.md").read_text()


def _write_history(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ticket_id", "Message", "Label"])
        for i, (text, label) in enumerate(rows):
            writer.writerow([i, text, label])


def test_validate_on_a_shops_own_tickets_with_a_label_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history, label_map = tmp_path / "tickets.csv", tmp_path / "labels.json"
    cancels = [f"Please cancel order #W{1000000 + i}, I don't need it anymore" for i in range(80)]
    statuses = [f"where is my package? it's order #W{2000000 + i}" for i in range(12)]
    _write_history(
        history,
        [(t, "Cancellation") for t in cancels]
        + [(t, "WISMO") for t in statuses]
        + [("buy cheap watches", "Spam"), ("", "Cancellation")],
    )
    label_map.write_text(
        json.dumps({"Cancellation": "cancel_order", "WISMO": "order_status", "Spam": None})
    )
    data_dir = tmp_path / "data"
    install(data_dir)
    args = [
        "validate",
        "--data-dir",
        str(data_dir),
        "--history",
        str(history),
        "--label-map",
        str(label_map),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "92 labelled messages (2 skipped)" in out
    # 80 right answers and none wrong: the lower bound (95.4 %) clears the bar.
    row = r"^\| cancel_order \| 80 \| [\d.]+ \| 80 \| 80 \| 100.0% \| 95.4% \| 100.0% \| yes \|$"
    assert re.search(row, out, re.M)
    # 12 right answers are too few to be sure of 95 %: bound 75.8 %.
    row = r"^\| order_status \| 12 \| [\d.]+ \| 12 \| 12 \| 100.0% \| 75.8% \| 100.0% \| no \|$"
    assert re.search(row, out, re.M)
    doc = read_autonomy(autonomy_path(data_dir))
    assert doc is not None and doc["autonomous"] == ["cancel_order"]
    assert doc["source"] == str(history.resolve()) and doc["label_map"] == str(label_map.resolve())
    # A lower bar is the shop's choice.
    assert main([*args, "--threshold", "0.75"]) == 0
    assert read_autonomy(autonomy_path(data_dir))["autonomous"] == ["cancel_order", "order_status"]  # type: ignore[index]


def test_unknown_labels_are_named_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "tickets.jsonl"
    history.write_text(json.dumps({"text": "cancel it", "label": "Cancellation"}) + "\n")
    assert main(["validate", "--data-dir", str(tmp_path), "--history", str(history)]) == 2
    err = capsys.readouterr().err
    assert "'Cancellation' (1)" in err and "--label-map" in err
    assert not autonomy_path(tmp_path).exists()


def test_classify_prints_one_json_object_per_line(tmp_path: Path) -> None:
    stdin = io.StringIO(
        "I want to cancel order #W1234567, I ordered it by mistake\n"
        "\n"
        "I'm Ada Lovelace, zip 10001, can I talk to a human?\n"
        "can you sort out the thing with my parcel and the money\n"
    )
    stdout = io.StringIO()
    install(tmp_path)
    assert run_classify(Settings(data_dir=tmp_path), Namespace(threshold=0.99), stdin, stdout) == 0
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(lines) == 3
    cancel, human, vague = lines
    assert set(cancel) == {
        "category", "label", "language", "confidence", "abstain", "wants_human", "entities"
    }
    assert cancel["language"] == "en"
    assert cancel["category"] == "cancel_order" and not cancel["abstain"]
    assert cancel["entities"] == {"order_ids": ["#W1234567"], "cancel_reason": "ordered by mistake"}
    assert human["wants_human"] is True
    assert human["entities"] == {"first_name": "Ada", "last_name": "Lovelace", "zip": "10001"}
    assert vague["abstain"] is True and vague["confidence"] < 0.99
    assert all(line["abstain"] == (line["confidence"] < 0.99) for line in lines)


def test_the_worker_reads_the_gate(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'store.db'}")
    install(tmp_path)
    report = validate(OfflineReading(shipped_model()), shipped_history())
    cleared = report.autonomous()
    # No file yet: measured on the shipped split, written, and only handled categories act.
    deps = build_deps(settings)
    assert deps.autonomous_categories == {c.value for c in HANDLED if c in cleared} | set(
        report.autonomous_rules()
    )
    assert read_autonomy(autonomy_path(tmp_path))["source"] == SHIPPED_SOURCE  # type: ignore[index]
    # Pinned by hand (the seam tests and demos use): read as recorded, still only handled ones.
    pin_autonomy(tmp_path, ["cancel_order", "return", "complaint"])
    assert Category.COMPLAINT not in HANDLED
    assert build_deps(settings).autonomous_categories == {"cancel_order", "return"}
    # An explicit override wins over any file.
    assert build_deps(settings, autonomous=["order_status"]).autonomous_categories == {
        "order_status"
    }


def test_a_stale_measurement_is_redone_or_withdrawn(tmp_path: Path) -> None:
    model = shipped_model()
    said: list[str] = []
    path = autonomy_path(tmp_path)
    # Measured on the shipped split for another model: measured again.
    path.write_text(
        json.dumps(
            {"format": 2, "model": "old", "source": SHIPPED_SOURCE, "autonomous": ["return"]}
        )
    )
    again = ensure_autonomy(tmp_path, model, say=said.append)
    measured = validate(OfflineReading(model), shipped_history())
    assert again == {c.value for c in measured.autonomous()}
    assert read_autonomy(path)["model"] == model.fingerprint  # type: ignore[index]
    # This model, but another version of the shipped split: measured again.
    path.write_text(
        json.dumps(
            {"format": 2, "model": model.fingerprint, "source": SHIPPED_SOURCE,
             "split": "older", "autonomous": ["complaint"]}
        )
    )  # fmt: skip
    assert ensure_autonomy(tmp_path, model, say=said.append) == again
    assert read_autonomy(path)["split"] == shipped_split_fingerprint()  # type: ignore[index]
    # Measured on the shop's tickets for another model: nothing is autonomous until re-run,
    # and the shop's file is left alone.
    shop = {"format": 2, "model": "old", "source": "/srv/tickets.csv", "autonomous": ["return"]}
    path.write_text(json.dumps(shop))
    assert ensure_autonomy(tmp_path, model, say=said.append) == frozenset()
    assert json.loads(path.read_text()) == shop
    assert "trustdesk validate --history" in said[-1]
    # A pinned list is for this training data only.
    pin_autonomy(tmp_path, ["return"])
    assert read_autonomy(path)["model"] == fingerprint_of() == model.fingerprint  # type: ignore[index]
    assert read_autonomy(path)["source"] == PINNED_SOURCE  # type: ignore[index]
    assert ensure_autonomy(tmp_path, model) == {"return"}


def test_the_readmes_demo_return_acts_at_the_shipped_bar(tmp_path: Path) -> None:
    """The README says the demo's return is finished by the agent out of the box: the gate
    clears returns on the shipped split; a stricter bar (`--threshold 0.99`) hands it off."""
    install(tmp_path)
    assert main(["validate", "--data-dir", str(tmp_path)]) == 0
    assert "return" in read_autonomy(autonomy_path(tmp_path))["autonomous"]  # type: ignore[index]
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'store.db'}")
    assert "return" in build_deps(settings).autonomous_categories
    assert main(["validate", "--data-dir", str(tmp_path), "--threshold", "0.99"]) == 0
    assert "return" not in build_deps(settings).autonomous_categories
