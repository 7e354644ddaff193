"""The `trustdesk` command: one entry point for every process and operator task.

Each subcommand imports its implementation lazily, so `trustdesk --help` is quick
and a missing optional extra only matters to the command that needs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from trustdesk.config import Settings

#: Entry-point group of subcommands that other distributions add: each entry point is a
#: function `(subparsers, add_common_options) -> None` whose parsers set `handler=` to a
#: `(settings, args) -> exit code` function. The development tools (`trustdesk bench`)
#: come this way from `bench/`, which the runtime package does not ship (bench/commands.py).
COMMAND_PLUGINS = "trustdesk.commands"


def _common(parser: argparse.ArgumentParser, *, after_command: bool = False) -> None:
    # On a sub-command (`users add NAME --data-dir D`) an unset flag must not overwrite
    # one given before it (`users --data-dir D add NAME`): it then sets nothing at all.
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if after_command else {}
    parser.add_argument(
        "--data-dir", type=Path, help="where the store, server data and keys live", **unset
    )
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL of the store (default: SQLite)", **unset
    )
    parser.add_argument("--temporal-address", help="host:port of the Temporal frontend", **unset)


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

    p = sub.add_parser("seed", help="load a data set into an empty store")
    _common(p)
    p.add_argument("--dataset", choices=["demo", "tau2-retail"], default="demo")
    p.add_argument(
        "--reset",
        action="store_true",
        help="reload the data set over the store's shop data, undoing every change (needs --yes)",
    )
    p.add_argument("--yes", action="store_true", help="confirm --reset")

    p = sub.add_parser("users", help="manage review-UI users")
    _common(p)
    users = p.add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user; the password is read from stdin")
    _common(add, after_command=True)
    add.add_argument("name")
    roles = ["agent", "approver", "senior_approver", "admin"]
    add.add_argument(
        "--role", required=True, action="append", choices=roles,
        help="a role the user holds; repeat it for several",
    )  # fmt: skip
    add.add_argument("--approval-limit", help="highest amount this user may approve")
    _common(users.add_parser("list", help="list users"), after_command=True)
    for name, text in (
        ("grant", "give a user more roles"),
        ("withdraw", "take roles away from a user (at least one stays)"),
    ):
        one = users.add_parser(name, help=text)
        _common(one, after_command=True)
        one.add_argument("name")
        one.add_argument("--role", required=True, action="append", choices=roles)
    for name, text in (
        ("disable", "stop a user signing in; their tokens and sessions stop working"),
        ("enable", "let a disabled user sign in again"),
        ("revoke", "end every token and review session the user holds now"),
    ):
        one = users.add_parser(name, help=text)
        _common(one, after_command=True)
        one.add_argument("name")

    from trustdesk.customer_cli import add_parser as add_customer_parser

    add_customer_parser(sub, _common)

    p = sub.add_parser("audit", help="verify the audit log's hash chain and its checkpoints")
    _common(p)

    sub.add_parser(
        "approval-keys",
        help="print a new approval key pair as settings: the signing key for the web "
        "process, the verify key for workers",
    )

    p = sub.add_parser(
        "validate",
        help="measure the brain per category on labelled history; write the autonomy list",
    )
    _common(p)
    p.add_argument(
        "--history",
        type=Path,
        help="labelled messages, .csv or .jsonl (default: the shipped held-out split)",
    )
    p.add_argument(
        "--label-map",
        type=Path,
        help="JSON object mapping your labels to categories (null skips)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.95,
        help="Wilson lower bound of the answers' precision a category needs (default 0.95)",
    )

    p = sub.add_parser(
        "classify", help="classify messages read one per line on stdin; JSON lines out"
    )
    _common(p)
    p.add_argument(
        "--threshold", type=float, help="abstain below this confidence (default: the model's)"
    )

    p = sub.add_parser("knowledge", help="the shop's knowledge base: search, sync")
    _common(p)
    knowledge = p.add_subparsers(dest="knowledge_command", required=True)
    search = knowledge.add_parser("search", help="the best passages for a question")
    search.add_argument("question")
    search.add_argument("--limit", type=int, default=3)
    _common(search, after_command=True)
    sync = knowledge.add_parser(
        "sync", help="index <data dir>/knowledge/*.md (the shipped articles on first use)"
    )
    _common(sync, after_command=True)

    for entry_point in entry_points(group=COMMAND_PLUGINS):
        entry_point.load()(sub, _common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    handler = getattr(args, "handler", None)
    if handler is not None:  # a command added through COMMAND_PLUGINS
        return int(handler(settings, args))
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
        from store.seed import seed, seed_if_empty

        if args.reset and not args.yes:
            print(
                "trustdesk seed --reset replaces every order, refund and address in the store "
                "with the data set's, undoing what the agent did; add --yes to confirm",
                file=sys.stderr,
            )
            return 2
        migrate(settings.store_url)
        sessions = session_factory(make_engine(settings.store_url))
        if args.reset:
            print(f"reset to {args.dataset}: {seed(sessions, args.dataset)}")
            return 0
        counts = seed_if_empty(sessions, args.dataset)
        if counts is None:
            print("the store already holds shop data: nothing changed (--reset --yes reloads it)")
        else:
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
        from store.audit import anchor_for, verify_chain
        from store.db import make_engine, session_factory

        anchor = anchor_for(settings.secret(), settings.audit_checkpoints)
        with session_factory(make_engine(settings.store_url))() as session:
            check = verify_chain(session, anchor)
        if check.ok:
            anchored = (
                f", signed checkpoints up to event {check.anchored_seq}"
                if check.anchored_seq
                else ", no signed checkpoint yet"
            )
            print(f"audit chain intact: {check.checked} events{anchored}")
            return 0
        print(f"audit chain BROKEN: {check.problem} ({check.checked} events checked)")
        return 1
    if command == "approval-keys":
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from trustdesk.approval_keys import encode_private_key, encode_public_key

        key = Ed25519PrivateKey.generate()
        print(f"TRUSTDESK_APPROVAL_SIGNING_KEY={encode_private_key(key)}")
        print(f'TRUSTDESK_APPROVAL_VERIFY_KEYS=["{encode_public_key(key)}"]')
        return 0
    if command == "knowledge":
        from trustdesk.knowledge_cli import run_knowledge

        return run_knowledge(settings, args, sys.stdout)
    raise AssertionError(command)


if __name__ == "__main__":
    raise SystemExit(main())
