"""The `trustdesk` command: one entry point for every process and operator task.

Each subcommand imports its implementation lazily, so `trustdesk --help` is quick
and a missing optional extra only matters to the command that needs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from trustdesk.config import Settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where the store, server data and keys live")
    parser.add_argument("--database-url", help="SQLAlchemy URL of the store (default: SQLite)")
    parser.add_argument("--temporal-address", help="host:port of the Temporal frontend")


def _ports(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="web port (default 8000)")
    parser.add_argument("--temporal-port", type=int, help="Temporal frontend port (default 7233)")
    parser.add_argument("--ui-port", type=int, help="Temporal UI port (default 8233)")


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by whatever flags were given."""
    overrides: dict[str, object] = {}
    for flag, field in (
        ("data_dir", "data_dir"),
        ("database_url", "database_url"),
        ("temporal_address", "temporal_address"),
        ("port", "web_port"),
        ("temporal_port", "temporal_port"),
        ("ui_port", "ui_port"),
        ("email_port", "smtp_listen_port"),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            overrides[field] = value
    if "temporal_port" in overrides and "temporal_address" not in overrides:
        overrides["temporal_address"] = f"127.0.0.1:{overrides['temporal_port']}"
    return Settings(**overrides)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trustdesk", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("up", help="start everything: Temporal, store, worker and web")
    _common(p)
    _ports(p)
    p.add_argument("--dataset", choices=["demo", "tau2-retail"], default="demo")
    p.add_argument("--email-port", type=int, help="inbound SMTP port of the email channel (2525)")

    p = sub.add_parser("server", help="run the Temporal dev server persisted in the data dir")
    _common(p)
    _ports(p)

    p = sub.add_parser("worker", help="run the agent worker (case workflows and activities)")
    _common(p)

    p = sub.add_parser("web", help="run the web process (chat, API, review UI)")
    _common(p)
    _ports(p)

    p = sub.add_parser("email", help="run the email channel (SMTP listener, support address)")
    _common(p)
    p.add_argument("--email-port", type=int, help="inbound SMTP port (default 2525)")

    p = sub.add_parser("outbox", help="deliver queued replies on every channel, with retries")
    _common(p)

    p = sub.add_parser("migrate", help="bring the store's schema up to date")
    _common(p)

    p = sub.add_parser("seed", help="load a data set into the store (idempotent)")
    _common(p)
    p.add_argument("--dataset", choices=["demo", "tau2-retail"], default="demo")

    p = sub.add_parser("users", help="manage review-UI users")
    _common(p)
    users = p.add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user; the password is read from stdin")
    add.add_argument("name")
    add.add_argument(
        "--role", required=True, choices=["agent", "approver", "senior_approver", "admin"]
    )
    add.add_argument("--approval-limit", help="highest amount this user may approve")
    users.add_parser("list", help="list users")

    from trustdesk.customer_cli import add_parser as add_customer_parser

    add_customer_parser(sub, _common)

    p = sub.add_parser("audit", help="verify the audit log's hash chain")
    _common(p)

    p = sub.add_parser(
        "validate", help="measure the brain per category on labelled history; write the autonomy list"
    )
    _common(p)
    p.add_argument("--history", type=Path, help="labelled messages, .csv or .jsonl (default: the shipped held-out split)")
    p.add_argument("--label-map", type=Path, help="JSON object mapping your labels to categories (null skips)")
    p.add_argument("--threshold", type=float, default=0.95, help="accuracy a category needs (default 0.95)")
    p.add_argument("--min-samples", type=int, default=30, help="messages a category needs (default 30)")

    p = sub.add_parser("classify", help="classify messages read one per line on stdin; JSON lines out")
    _common(p)
    p.add_argument("--threshold", type=float, help="abstain below this confidence (default: the model's)")

    p = sub.add_parser("bench", help="benchmarks and conformance reports")
    _common(p)
    p.add_argument("suite", choices=["conformance", "latency"])
    p.add_argument(
        "--conversations",
        type=int,
        default=30,
        help="latency: scripted conversations of each kind (cancel; return with approval)",
    )
    p.add_argument("--json", action="store_true", help="latency: print the results as JSON")
    p.add_argument(
        "--temporal-in-memory",
        action="store_true",
        help="latency: run the dev server without its database file, to see what the file costs",
    )

    p = sub.add_parser("eval", help="measure how the agent resolves scripted conversations")
    _common(p)
    p.add_argument("suite", choices=["conversations"])
    p.add_argument("--split", choices=["dev", "heldout", "all"], default="dev")
    p.add_argument("--dataset", choices=["demo", "tau2-retail"], help="default: both")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    command = args.command
    if command == "up":
        from trustdesk.up import run_up

        return run_up(settings, dataset=args.dataset)
    if command == "server":
        from trustdesk.temporal_server import run_server

        return run_server(settings)
    if command == "worker":
        from workers.agent import run_worker

        return run_worker(settings)
    if command == "web":
        from web.app import run_web

        return run_web(settings)
    if command == "email":
        from workers.email import run_email

        return run_email(settings)
    if command == "outbox":
        from workers.outbox import run_outbox

        return run_outbox(settings)
    if command == "migrate":
        from store.db import migrate

        migrate(settings.store_url)
        print(f"store at {settings.store_url} is up to date")
        return 0
    if command == "seed":
        from store.db import make_engine, migrate, session_factory
        from store.seed import seed

        migrate(settings.store_url)
        counts = seed(session_factory(make_engine(settings.store_url)), args.dataset)
        print(f"seeded {args.dataset}: {counts}")
        return 0
    if command == "users":
        from web.users import users_command

        return users_command(settings, args, sys.stdin)
    if command == "validate":
        from trustdesk.brain_cli import run_validate

        return run_validate(settings, args)
    if command == "classify":
        from trustdesk.brain_cli import run_classify

        return run_classify(settings, args, sys.stdin, sys.stdout)
    if command == "customer":
        from trustdesk.customer_cli import customer_command

        return customer_command(settings, args, sys.stdout)
    if command == "audit":
        from store.audit import verify_chain
        from store.db import make_engine, session_factory

        with session_factory(make_engine(settings.store_url))() as session:
            check = verify_chain(session)
        if check.ok:
            print(f"audit chain intact: {check.checked} events")
            return 0
        print(f"audit chain BROKEN at event {check.first_bad_seq} (after {check.checked} good)")
        return 1
    if command == "eval":
        from bench.conversations.runner import run_conversations_cli

        return run_conversations_cli(args.split, as_json=args.json, dataset=args.dataset)
    if command == "bench":
        if args.suite == "conformance":
            from trustdesk.bench.conformance import run_conformance_bench

            return run_conformance_bench(settings)
        from trustdesk.bench.latency import run_latency_cli

        return run_latency_cli(
            args.conversations, as_json=args.json, temporal_in_memory=args.temporal_in_memory
        )
    raise AssertionError(command)


if __name__ == "__main__":
    raise SystemExit(main())
