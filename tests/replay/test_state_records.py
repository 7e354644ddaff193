"""The typed case state describes what recorded histories hold: every key each activity
node returned is declared by `graph.state`'s records, and every enum-typed field holds one
of its enum's values. A key renamed or a value dropped from an enum fails here first."""

from __future__ import annotations

import base64
import enum
import json
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from graph.state import CaseState
from tests.replay.recording import HISTORIES

FILES = sorted(HISTORIES.glob("*.json"))


def undeclared(value: Any, kind: Any, where: str) -> list[str]:
    """Where `value` holds a key its TypedDict does not declare, or a value its enum lacks."""
    origin = get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        if value is None or len(options) != 1:
            return []
        return undeclared(value, options[0], where)
    if origin in (typing.Required, typing.NotRequired):
        return undeclared(value, get_args(kind)[0], where)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return [] if value in {m.value for m in kind} else [f"{where}={value!r}"]
    found: list[str] = []
    if is_typeddict(kind) and isinstance(value, dict):
        fields = get_type_hints(kind)
        for key, item in value.items():
            if key not in fields:
                found.append(f"{where}.{key}")
            else:
                found += undeclared(item, fields[key], f"{where}.{key}")
    elif origin is list and isinstance(value, list):
        for i, item in enumerate(value):
            found += undeclared(item, get_args(kind)[0], f"{where}[{i}]")
    return found


def node_results(path: Path) -> list[dict[str, Any]]:
    """The partial states the graph's activity nodes returned in a recorded history."""
    results = []
    for event in json.loads(path.read_text())["events"]:
        completed = event.get("activityTaskCompletedEventAttributes")
        if not completed:
            continue
        output = json.loads(base64.b64decode(completed["result"]["payloads"][0]["data"]))
        if isinstance(output, dict) and isinstance(output.get("result"), dict):
            results.append(output["result"])
    return results


def test_the_check_finds_an_undeclared_key_and_a_value_outside_its_enum() -> None:
    state = {"category": "nope", "captured": {"order_id": "#W1", "shoe_size": 9}}
    assert undeclared(state, CaseState, "state") == [
        "state.category='nope'",
        "state.captured.shoe_size",
    ]


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_recorded_node_results_are_typed_case_state(path: Path) -> None:
    results = node_results(path)
    assert results, "the history holds no activity node's result"
    for result in results:
        assert undeclared(result, CaseState, "state") == []
