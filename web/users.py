"""Review-UI users: `trustdesk users add|list|disable|enable|revoke`, and their store functions.

Roles:
* ``agent``  reads cases, replies to escalated customers; cannot decide approvals.
* ``approver`` decides approvals up to their approval limit (and the policy's approver tier).
* ``senior_approver`` also decides approvals the policy reserves for senior approvers.
* ``admin``  manages the deployment; cannot decide approvals.

An approver without an approval limit is bounded only by the policy's tiers.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TextIO

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.errors import InvalidMoney
from domain.money import format_money, to_money
from store.db import make_engine, migrate, session_factory
from store.models import RevokedSessionRow, UserRow
from trustdesk.config import Settings
from web.auth import hash_password, password_problem
from workflows.contracts import Role

APPROVING_ROLES = frozenset({Role.APPROVER, Role.SENIOR_APPROVER})
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")


class UserError(Exception):
    """A user could not be created; the message says why, for the operator."""


@dataclass(frozen=True)
class StaffUser:
    """A signed-in person, as the web layer sees them (read fresh from the store)."""

    username: str
    role: Role
    approval_limit: Decimal | None
    # Tokens and review sessions issued in an earlier generation are refused.
    generation: int = 0

    def accepts(self, generation: int) -> bool:
        """Whether a token or session of `generation` still speaks for this user."""
        return generation == self.generation

    @property
    def can_approve(self) -> bool:
        return self.role in APPROVING_ROLES


def parse_limit(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        limit = to_money(text)
    except InvalidMoney as exc:
        raise UserError(f"--approval-limit: {text!r} is not an amount") from exc
    if limit < 0:
        raise UserError("--approval-limit cannot be negative")
    return limit


def create_user(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    role: Role | str,
    approval_limit: Decimal | None = None,
) -> StaffUser:
    """Store a new user with a hashed password; `UserError` if it cannot be created."""
    if not _USERNAME.match(username):
        raise UserError("a username is 1-80 letters, digits or . _ @ -")
    try:
        role = Role(role)
    except ValueError as exc:
        raise UserError(f"unknown role {role!r}") from exc
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    if approval_limit is not None and role not in APPROVING_ROLES:
        raise UserError(f"a {role.value} cannot approve, so cannot have an approval limit")
    with sessions() as session:
        if session.scalars(select(UserRow).where(UserRow.username == username)).first():
            raise UserError(f"user {username!r} already exists")
        session.add(
            UserRow(
                username=username,
                role=role.value,
                approval_limit=approval_limit,
                password_hash=hash_password(password),
            )
        )
        try:
            session.commit()
        except IntegrityError as exc:
            raise UserError(f"user {username!r} already exists") from exc
    return StaffUser(username, role, approval_limit)


def load_user(sessions: sessionmaker[Session], username: str) -> tuple[StaffUser, str] | None:
    """An enabled user and their password hash, or None."""
    with sessions() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None or row.disabled:
            return None
        try:
            role = Role(row.role)
        except ValueError:
            return None
        user = StaffUser(row.username, role, row.approval_limit, row.token_generation or 0)
        return user, row.password_hash


def set_disabled(sessions: sessionmaker[Session], username: str, disabled: bool) -> bool:
    """Disable (or enable) a user; a disabled user's tokens and sessions stop working at
    once, because every request reads the user afresh. False if there is no such user."""
    with sessions() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            return False
        row.disabled = disabled
        if disabled:
            row.token_generation = (row.token_generation or 0) + 1
        session.commit()
        return True


def revoke_tokens(sessions: sessionmaker[Session], username: str) -> bool:
    """End every bearer token and review session `username` holds now (they sign in again
    for new ones). False if there is no such user."""
    with sessions() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            return False
        row.token_generation = (row.token_generation or 0) + 1
        session.commit()
        return True


def revoke_session(
    sessions: sessionmaker[Session], sid: str, username: str, expires_at: int
) -> None:
    """Refuse the review session `sid` from now until it would have expired, in every web
    process (the record is kept in the store until then, and swept at the next sign-out)."""
    now = datetime.now(UTC)
    with sessions() as session:
        session.execute(delete(RevokedSessionRow).where(RevokedSessionRow.expires_at <= now))
        if session.get(RevokedSessionRow, sid) is None:
            session.add(
                RevokedSessionRow(
                    sid=sid,
                    username=username,
                    expires_at=datetime.fromtimestamp(expires_at, UTC),
                )
            )
        session.commit()


def session_revoked(sessions: sessionmaker[Session], sid: str) -> bool:
    """True when the review session `sid` was signed out."""
    with sessions() as session:
        return session.get(RevokedSessionRow, sid) is not None


def list_users(sessions: sessionmaker[Session]) -> list[UserRow]:
    with sessions() as session:
        return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass("password: ")
    return stdin.readline().rstrip("\r\n")


def users_command(settings: Settings, args: argparse.Namespace, stdin: TextIO) -> int:
    """`trustdesk users add NAME --role R [--approval-limit N]` (password on stdin) / `list`."""
    migrate(settings.store_url)
    engine = make_engine(settings.store_url)
    try:
        sessions = session_factory(engine)
        if args.users_command == "add":
            try:
                limit = parse_limit(args.approval_limit)
                user = create_user(sessions, args.name, _read_password(stdin), args.role, limit)
            except UserError as exc:
                print(f"trustdesk users add: {exc}", file=sys.stderr)
                return 1
            limit_text = (
                "" if limit is None else f", approval limit {format_money(limit)}"
            )
            print(f"added {user.username} ({user.role.value}{limit_text})")
            return 0
        if args.users_command == "list":
            rows = list_users(sessions)
            if not rows:
                print("no users yet: add one with `trustdesk users add NAME --role ROLE`")
                return 0
            width = max(len("username"), *(len(r.username) for r in rows))
            print(f"{'username':<{width}}  {'role':<15}  approval limit")
            for r in rows:
                shown = "-" if r.approval_limit is None else format_money(r.approval_limit)
                flag = "  (disabled)" if r.disabled else ""
                print(f"{r.username:<{width}}  {r.role:<15}  {shown}{flag}")
            return 0
        if args.users_command in ("disable", "enable", "revoke"):
            if args.users_command == "revoke":
                found = revoke_tokens(sessions, args.name)
                done = "revoked every token and session of"
            else:
                found = set_disabled(sessions, args.name, args.users_command == "disable")
                done = args.users_command + "d"
            if not found:
                command = args.users_command
                print(f"trustdesk users {command}: no user {args.name!r}", file=sys.stderr)
                return 1
            print(f"{done} {args.name}")
            return 0
        print(f"trustdesk users: unknown command {args.users_command!r}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
