"""Passwords, staff tokens, signed customer identities and `trustdesk users`."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jwt
import pytest
from sqlalchemy import select

from store.db import make_engine, session_factory
from store.models import UserRow
from trustdesk.cli import build_parser, settings_from
from web.auth import (
    InvalidToken,
    create_access_token,
    decode_access_token,
    derive_key,
    hash_password,
    password_problem,
    sign_customer_identity,
    verify_customer_identity,
    verify_password,
)
from web.users import users_command

SECRET = "unit-test-secret-" + "s" * 32


# --- passwords --------------------------------------------------------------------------


def test_passwords_are_argon2_hashed_and_verified() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert hash_password("correct horse") != hashed  # salted
    assert verify_password("correct horse", hashed)
    assert not verify_password("correct horsE", hashed)
    assert not verify_password("", hashed)
    assert not verify_password("correct horse", "not a hash")
    assert not verify_password("correct horse", None)


def test_password_rules() -> None:
    assert password_problem("") == "the password is empty"
    assert "at least 8" in (password_problem("1234567") or "")
    assert password_problem("12345678") is None
    assert "at most" in (password_problem("x" * 1025) or "")


# --- staff tokens -------------------------------------------------------------------------


def test_a_token_names_its_user() -> None:
    assert decode_access_token(create_access_token("pat", SECRET), SECRET) == "pat"


def test_tokens_expire_after_eight_hours() -> None:
    now = datetime.now(UTC)
    assert decode_access_token(
        create_access_token("pat", SECRET, now=now - timedelta(hours=7, minutes=59)), SECRET
    ) == "pat"
    with pytest.raises(InvalidToken):
        expired = create_access_token("pat", SECRET, now=now - timedelta(hours=8, seconds=1))
        decode_access_token(expired, SECRET)


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_or_foreign_tokens_are_refused() -> None:
    token = create_access_token("lou", SECRET)
    header, payload, signature = _segments(token)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    promoted = ".".join([header, _b64({**claims, "sub": "admin"}), signature])
    flipped = ".".join([header, payload, ("A" if signature[0] != "A" else "B") + signature[1:]])
    now = int(datetime.now(UTC).timestamp())
    forged = [
        promoted,
        flipped,
        token + "x",
        "not.a.token",
        "",
        create_access_token("lou", "another-deployment-secret-0123456789"),
        # Signed with the raw secret instead of the derived token key.
        jwt.encode(
            {"sub": "lou", "iss": "trustdesk", "iat": now, "exp": now + 60}, SECRET, "HS256"
        ),
        # The "none" algorithm, and claims missing an expiry or issuer.
        jwt.encode({"sub": "lou", "iss": "trustdesk", "iat": now, "exp": now + 60}, None, "none"),
        jwt.encode({"sub": "lou", "iss": "trustdesk", "iat": now},
                   derive_key(SECRET, "access-token"), "HS256"),
        jwt.encode({"sub": "lou", "iat": now, "exp": now + 60},
                   derive_key(SECRET, "access-token"), "HS256"),
    ]
    for bad in forged:
        with pytest.raises(InvalidToken):
            decode_access_token(bad, SECRET)


# --- signed customer identities -------------------------------------------------------------


def test_signed_customer_identity_round_trip() -> None:
    token = sign_customer_identity("ada_lovelace_1", SECRET, thread_id="thread-123")
    identity = verify_customer_identity(token, SECRET, thread_id="thread-123")
    assert identity is not None and identity.customer_id == "ada_lovelace_1"
    assert identity.as_claim() == {
        "customer_id": "ada_lovelace_1", "signed": True, "thread_id": "thread-123"
    }
    unbound = sign_customer_identity("ada_lovelace_1", SECRET)
    assert verify_customer_identity(unbound, SECRET, thread_id="any") is not None


def test_unsigned_tampered_expired_or_misbound_identities_are_ignored() -> None:
    token = sign_customer_identity("ada_lovelace_1", SECRET, thread_id="t1")
    assert verify_customer_identity(token, SECRET, thread_id="t1") is not None
    version, body, mac = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    swapped = ".".join([version, _b64({**claims, "cid": "bob_smith_2"}), mac])
    rejected = [
        (swapped, "t1"),
        (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "t1"),
        (sign_customer_identity("ada_lovelace_1", "other-secret-01234567", thread_id="t1"), "t1"),
        (sign_customer_identity("ada_lovelace_1", SECRET, thread_id="t1"), "t2"),
        (sign_customer_identity("ada_lovelace_1", SECRET, ttl=timedelta(seconds=-1)), None),
        (create_access_token("ada_lovelace_1", SECRET), None),
        ("v1.%%%.###", None),
        ("", None),
        ("ada_lovelace_1", None),
    ]
    for bad, thread in rejected:
        assert verify_customer_identity(bad, SECRET, thread_id=thread) is None, bad
    issued = sign_customer_identity("ada_lovelace_1", SECRET, thread_id="t1", now=1_000_000)
    assert verify_customer_identity(issued, SECRET, thread_id="t1", now=1_000_000 + 3599)
    assert verify_customer_identity(issued, SECRET, thread_id="t1", now=1_000_000 + 3600) is None


# --- trustdesk users ------------------------------------------------------------------------


def _run(data_dir: Path, argv: list[str], stdin: str = "") -> int:
    args = build_parser().parse_args(["users", "--data-dir", str(data_dir), *argv])
    return users_command(settings_from(args), args, io.StringIO(stdin))


def test_users_add_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, ["list"]) == 0
    assert "no users yet" in capsys.readouterr().out

    assert _run(tmp_path, ["add", "pat", "--role", "approver", "--approval-limit", "1000"],
                "s3cret-password\nignored second line\n") == 0
    assert _run(tmp_path, ["add", "sue", "--role", "senior_approver", "--approval-limit", "5000.5"],
                "another-password\n") == 0
    assert _run(tmp_path, ["add", "al", "--role", "agent"], "agent-password") == 0
    out = capsys.readouterr().out
    assert "added pat (approver, approval limit 1,000.00)" in out

    assert _run(tmp_path, ["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["username", "roles", "approval", "limit"]
    assert [line.split() for line in lines[1:]] == [
        ["al", "agent", "-"],
        ["pat", "approver", "1,000.00"],
        ["sue", "senior_approver", "5,000.50"],
    ]

    engine = make_engine(f"sqlite:///{(tmp_path / 'trustdesk.db').resolve()}")
    with session_factory(engine)() as s:
        pat = s.scalars(select(UserRow).where(UserRow.username == "pat")).one()
    engine.dispose()
    assert pat.approval_limit == Decimal("1000.00")
    assert pat.password_hash != "s3cret-password"
    assert verify_password("s3cret-password", pat.password_hash)


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["add", "pat", "--role", "approver"], "", "the password is empty"),
        (["add", "pat", "--role", "approver"], "\n", "the password is empty"),
        (["add", "pat", "--role", "approver"], "short\n", "at least 8"),
        (["add", "pat", "--role", "approver", "--approval-limit", "lots"], "long-enough\n",
         "not an amount"),
        (["add", "pat", "--role", "approver", "--approval-limit", "-5"], "long-enough\n",
         "negative"),
        (["add", "al", "--role", "agent", "--approval-limit", "100"], "long-enough\n",
         "cannot approve"),
        (["add", "bad name", "--role", "agent"], "long-enough\n", "username"),
    ],
)
def test_users_add_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str, message: str
) -> None:
    assert _run(tmp_path, argv, stdin) == 1
    assert message in capsys.readouterr().err
    assert _run(tmp_path, ["list"]) == 0
    assert "no users yet" in capsys.readouterr().out


def test_users_add_refuses_duplicates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, ["add", "pat", "--role", "approver"], "first-password\n") == 0
    assert _run(tmp_path, ["add", "pat", "--role", "admin"], "second-password\n") == 1
    assert "user 'pat' already exists" in capsys.readouterr().err
    assert _run(tmp_path, ["list"]) == 0
    assert "approver" in capsys.readouterr().out
