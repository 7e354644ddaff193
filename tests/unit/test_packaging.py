"""The runtime wheel carries the product; the development tools reach the CLI as a plugin."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_namespace_packages

from trustdesk.cli import COMMAND_PLUGINS, build_parser

ROOT = Path(__file__).resolve().parents[2]


def _runtime_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    find = config["tool"]["setuptools"]["packages"]["find"]
    return find_namespace_packages(
        str(ROOT), include=find["include"], exclude=find.get("exclude", ())
    )


def test_the_runtime_wheel_ships_no_benchmark_code() -> None:
    packages = _runtime_packages()
    assert "trustdesk" in packages and "workflows" in packages
    assert not [p for p in packages if p == "bench" or p.startswith(("bench.", "tests"))]
    assert not (ROOT / "trustdesk" / "bench").exists()


def test_the_bench_distribution_adds_its_commands_through_the_plugin_group() -> None:
    config = tomllib.loads((ROOT / "bench" / "pyproject.toml").read_text())
    assert config["project"]["entry-points"][COMMAND_PLUGINS] == {
        "bench": "bench.commands:register"
    }
    args = build_parser().parse_args(["bench", "idle-rss", "--json"])
    assert (args.suite, args.json) == ("idle-rss", True)
    assert args.handler.__module__ == "bench.commands"
