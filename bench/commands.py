"""The `trustdesk` subcommands of the development tools, all registered here.

These tools are not part of the product: the runtime wheel (`pyproject.toml` at the
root) does not carry the `bench` package. In a source checkout, `make install` also
installs `bench/` as the `trustdesk-bench` distribution (`bench/pyproject.toml`),
which names `register` below under the `trustdesk.commands` entry-point group; the
`trustdesk` command calls every function of that group when it builds its parser.

To add a command, write `add_<name>(sub, common)` here: it adds its subparser to
`sub`, calls `common(parser)` for the shared `--data-dir`/`--database-url`/
`--temporal-address` options, and sets `handler=` to a function
`(settings, args) -> exit code` that imports its implementation lazily (so
`trustdesk --help` stays quick); then append it to `COMMANDS`. Nothing needs
reinstalling: the entry point names this module, not the list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Adds the options every subcommand shares (`trustdesk.cli` passes its own).
Common = Callable[[argparse.ArgumentParser], None]
#: `argparse`'s subparsers object, as `trustdesk.cli` hands it over.
Subparsers = Any


def _run_bench(settings: Any, args: argparse.Namespace) -> int:
    if args.suite == "conformance":
        from bench.conformance import run_conformance_bench

        return run_conformance_bench(settings)
    if args.suite == "idle-rss":
        from bench.idle_rss import run_idle_rss

        return run_idle_rss(args.tree, as_json=args.json)
    if args.suite == "capacity":
        from bench.capacity import run_capacity_cli

        return run_capacity_cli(args.levels, args.parked, rounds=args.rounds, as_json=args.json)
    from bench.latency import run_latency_cli

    return run_latency_cli(
        args.conversations, as_json=args.json, temporal_in_memory=args.temporal_in_memory
    )


def add_bench(sub: Subparsers, common: Common) -> None:
    """`trustdesk bench conformance|latency|idle-rss|capacity`."""
    p = sub.add_parser("bench", help="benchmarks and conformance reports (development tools)")
    common(p)
    p.add_argument("suite", choices=["conformance", "latency", "idle-rss", "capacity"])
    p.add_argument(
        "--conversations",
        type=int,
        default=30,
        help="latency: scripted conversations of each kind (cancel; return with approval)",
    )
    p.add_argument("--json", action="store_true", help="latency, idle-rss, capacity: print JSON")
    p.add_argument(
        "--temporal-in-memory",
        action="store_true",
        help="latency: run the dev server without its database file, to see what the file costs",
    )
    p.add_argument(
        "--tree",
        type=Path,
        help="idle-rss: the source tree whose `trustdesk up` to measure (default: this one)",
    )
    p.add_argument(
        "--levels",
        default="1,4,16,32",
        help="capacity: conversations at once, one level after another (default 1,4,16,32)",
    )
    p.add_argument(
        "--parked",
        type=int,
        default=2000,
        help="capacity: cases parked waiting for approval to measure memory (default 2000)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="capacity: conversations each slot runs one after another at every level",
    )
    p.set_defaults(handler=_run_bench)


def _run_eval(settings: Any, args: argparse.Namespace) -> int:
    if args.suite == "knowledge":
        from bench.knowledge import QUESTIONS, run_knowledge_eval

        if args.split != "all" and args.split not in QUESTIONS:
            print(
                f"trustdesk eval knowledge: no {args.split!r} questions; choose one of "
                f"{', '.join(QUESTIONS)} or all",
                file=sys.stderr,
            )
            return 2
        return run_knowledge_eval(
            settings.policy,
            args.split if args.split != "all" else "heldout",
            scratch_url=args.scratch_url,
            sweep=args.sweep,
            show_misses=args.misses,
            lexical=args.lexical,
        )
    from bench.conversations.runner import run_conversations_cli

    return run_conversations_cli(args.split, as_json=args.json, dataset=args.dataset)


def add_eval(sub: Subparsers, common: Common) -> None:
    """`trustdesk eval conversations|knowledge`: how well the agent resolves and retrieves."""
    p = sub.add_parser(
        "eval", help="measure resolution on scripted conversations, or knowledge retrieval"
    )
    common(p)
    p.add_argument("suite", choices=["conversations", "knowledge"])
    p.add_argument(
        "--split",
        choices=["dev", "heldout", "fresh", "unseen", "blind", "cold", "winter", "thaw", "all"],
        default=None,
        help="fresh: held out, written in the round that added the sentence vector to the search; "
        "unseen: held out, written blind in the round after the fresh split (conversations only); "
        "blind: held out, written blind in the second half of the round after the unseen split "
        "(conversations only); cold: held out, written blind at the start of the round after "
        "the blind split (conversations only); winter: held out, written blind at the start of the "
        "round after the cold split (conversations only); thaw: held out, written blind in the "
        "middle of that round, after the winter split's misses were fixed (conversations only)",
    )
    p.add_argument("--dataset", choices=["demo", "tau2-retail"], help="conversations: default both")
    p.add_argument("--json", action="store_true", help="conversations: print the results as JSON")
    p.add_argument("--scratch-url", help="knowledge: an empty database to measure on")
    p.add_argument("--sweep", action="store_true", help="knowledge: figures at other thresholds")
    p.add_argument("--misses", action="store_true", help="knowledge: list the questions missed")
    p.add_argument(
        "--lexical",
        action="store_true",
        help="knowledge: the full-text engine alone, without the sentence vector",
    )
    p.set_defaults(handler=_run_eval_defaulted)


def _run_eval_defaulted(settings: Any, args: argparse.Namespace) -> int:
    """Conversations default to the development split, retrieval to the held-out questions."""
    if args.split is None:
        args.split = "dev" if args.suite == "conversations" else "heldout"
    return _run_eval(settings, args)


def _run_chaos(settings: Any, args: argparse.Namespace) -> int:
    from bench.chaos import run_chaos_cli

    return run_chaos_cli(args.cases, args.kills, args.seed, args.workers)


def add_chaos(sub: Subparsers, common: Common) -> None:
    """`trustdesk chaos`: invariants while workers are killed and the server restarts."""
    p = sub.add_parser(
        "chaos", help="concurrent cases while workers are SIGKILLed and the server restarts"
    )
    common(p)
    p.add_argument("--cases", type=int, default=200, help="concurrent cases (default 200)")
    p.add_argument("--kills", type=int, default=6, help="worker SIGKILLs (default 6)")
    p.add_argument("--workers", type=int, default=2, help="agent workers running (default 2)")
    p.add_argument("--seed", type=int, default=1, help="seeds the moments of the kills")
    p.set_defaults(handler=_run_chaos)


#: Every development subcommand, in the order `trustdesk --help` lists them.
COMMANDS: list[Callable[[Subparsers, Common], None]] = [add_bench, add_eval, add_chaos]


def register(sub: Subparsers, common: Common) -> None:
    """The `trustdesk.commands` entry point: add every command of `COMMANDS`."""
    for add in COMMANDS:
        add(sub, common)
