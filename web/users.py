"""Review-UI users: `trustdesk users add|list|grant|withdraw|disable|enable|revoke`, and their
store functions.

A user holds one or more roles (table `user_roles`) and may do what any of them allows;
decisions on approvals are taken, and signed, under the strongest approving role held.
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
from collections.abc import Iterable
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
from store.models import RevokedSessionRow, UserRoleRow, UserRow
from trustdesk.config import Settings
from web.auth import hash_password, password_problem
from workflows.contracts import Role

APPROVING_ROLES = frozenset({Role.APPROVER, Role.SENIOR_APPROVER})
#: Strongest first: a user acts on approvals, and lands after sign-in, as the first they hold.
ROLE_ORDER = (Role.SENIOR_APPROVER, Role.APPROVER, Role.AGENT, Role.ADMIN)
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,80}$")


class UserError(Exception):
    """A user could not be created; the message says why, for the operator."""


@dataclass(frozen=True)
class StaffUser:
    """A signed-in person, as the web layer sees them (read fresh from the store)."""

    username: str
    roles: frozenset[Role]
    approval_limit: Decimal | None
    # Tokens and review sessions issued in an earlier generation are refused.
    generation: int = 0

    def __post_init__(self) -> None:
        if not self.roles:
            raise ValueError("a user holds at least one role")

    def accepts(self, generation: int) -> bool:
        """Whether a token or session of `generation` still speaks for this user."""
        return generation == self.generation

    @property
    def can_approve(self) -> bool:
        return bool(self.roles & APPROVING_ROLES)

    @property
    def acting_role(self) -> Role:
        """The role decisions are checked and signed under: the strongest one held."""
        return next(role for role in ROLE_ORDER if role in self.roles)

    @property
    def roles_text(self) -> str:
        """The roles held, strongest first, for people to read ("approver, agent")."""
        return ", ".join(r.value.replace("_", " ") for r in ROLE_ORDER if r in self.roles)


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


def parse_roles(roles: Role | str | Iterable[Role | str]) -> frozenset[Role]:
    """Roles by name; `UserError` for an unknown one or none at all."""
    names = [roles] if isinstance(roles, str) else list(roles)
    try:
        parsed = frozenset(Role(name) for name in names)
    except ValueError as exc:
        raise UserError(f"unknown role in {[str(n) for n in names]}") from exc
    if not parsed:
        raise UserError("a user needs at least one role")
    return parsed


def create_user(
    sessions: sessionmaker[Session],
    username: str,
    password: str,
    roles: Role | str | Iterable[Role | str],
    approval_limit: Decimal | None = None,
) -> StaffUser:
    """Store a new user with a hashed password; `UserError` if it cannot be created."""
    if not _USERNAME.match(username):
        raise UserError("a username is 1-80 letters, digits or . _ @ -")
    held = parse_roles(roles)
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    if approval_limit is not None and not held & APPROVING_ROLES:
        raise UserError(
            "a user who cannot approve (no approver or senior approver role) cannot have an "
            "approval limit"
        )
    with sessions() as session:
        if session.scalars(select(UserRow).where(UserRow.username == username)).first():
            raise UserError(f"user {username!r} already exists")
        session.add(
            UserRow(
                username=username,
                approval_limit=approval_limit,
                password_hash=hash_password(password),
                role_rows=[UserRoleRow(role=role.value) for role in sorted(held)],
            )
        )
        try:
            session.commit()
        except IntegrityError as exc:
            raise UserError(f"user {username!r} already exists") from exc
    return StaffUser(username, held, approval_limit)


def _known_roles(row: UserRow) -> frozenset[Role]:
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in row.roles if name in known)


def load_user(sessions: sessionmaker[Session], username: str) -> tuple[StaffUser, str] | None:
    """An enabled user and their password hash, or None."""
    with sessions() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None or row.disabled:
            return None
        roles = _known_roles(row)
        if not roles:
            return None
        user = StaffUser(row.username, roles, row.approval_limit, row.token_generation or 0)
        return user, row.password_hash


def change_roles(
    sessions: sessionmaker[Session],
    username: str,
    *,
    grant: Iterable[Role | str] = (),
    withdraw: Iterable[Role | str] = (),
) -> StaffUser:
    """Give `username` roles and/or take some away; `UserError` for no such user or one
    left with none. Losing every approving role drops the approval limit, and the change
    holds from the user's next request (every request reads the user afresh)."""
    given = parse_roles(grant) if grant else frozenset()
    taken = parse_roles(withdraw) if withdraw else frozenset()
    with sessions() as session:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            raise UserError(f"no user {username!r}")
        held = (_known_roles(row) | given) - taken
        if not held:
            raise UserError(f"{username} would hold no role; disable the user instead")
        row.role_rows = [
            next((r for r in row.role_rows if r.role == role.value), None)
            or UserRoleRow(role=role.value)
            for role in sorted(held)
        ]
        if not held & APPROVING_ROLES:
            row.approval_limit = None
        session.commit()
        return StaffUser(username, held, row.approval_limit, row.token_generation or 0)


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
    """`trustdesk users add NAME --role R [--role R2 …] [--approval-limit N]` (password on
    stdin), `list`, `grant|withdraw NAME --role R`, `disable|enable|revoke NAME`."""
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
            print(f"added {user.username} ({user.roles_text}{limit_text})")
            return 0
        if args.users_command == "list":
            rows = list_users(sessions)
            if not rows:
                print("no users yet: add one with `trustdesk users add NAME --role ROLE`")
                return 0
            width = max(len("username"), *(len(r.username) for r in rows))
            roles = {r.username: ",".join(r.roles) for r in rows}
            roles_width = max(len("roles"), *(len(text) for text in roles.values()))
            print(f"{'username':<{width}}  {'roles':<{roles_width}}  approval limit")
            for r in rows:
                shown = "-" if r.approval_limit is None else format_money(r.approval_limit)
                flag = "  (disabled)" if r.disabled else ""
                print(f"{r.username:<{width}}  {roles[r.username]:<{roles_width}}  {shown}{flag}")
            return 0
        if args.users_command in ("grant", "withdraw"):
            change = {"grant" if args.users_command == "grant" else "withdraw": args.role}
            try:
                user = change_roles(sessions, args.name, **change)
            except UserError as exc:
                print(f"trustdesk users {args.users_command}: {exc}", file=sys.stderr)
                return 1
            print(f"{user.username} now holds: {user.roles_text}")
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
