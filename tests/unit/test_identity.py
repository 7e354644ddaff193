"""Identity proportional to risk: the policy's levels, what is asked next, one-time codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import ConfigError
from domain.identity import (
    TAU2_RULES,
    CodeCheck,
    IdentityLevel,
    IdentityRules,
    RequestKind,
    check_code,
    code_hash,
    derive_code_key,
    hide_codes,
    issue_code,
    level_from_facts,
    next_factor,
    typed_code,
)
from domain.policy import load_policy, parse_policy

L = IdentityLevel
KEY = derive_code_key("a deployment secret of some length")
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def test_the_shipped_policy_is_strict() -> None:
    rules = load_policy().identity
    assert rules.needed(RequestKind.GENERAL) is L.NONE
    assert rules.needed(RequestKind.READ_ORDER) is L.EMAIL_FACTOR
    assert rules.needed(RequestKind.CHANGE) is L.ONE_TIME_CODE


def test_a_policy_without_identity_rules_is_strict_too() -> None:
    policy = parse_policy('[actions.cancel_order]\nauto_max = "1"\n')
    assert policy.identity == IdentityRules()
    assert policy.identity.change is L.ONE_TIME_CODE


def test_the_tau2_rule_lets_an_email_do_everything() -> None:
    assert TAU2_RULES.read_order is L.EMAIL and TAU2_RULES.change is L.EMAIL


def test_an_unknown_level_is_refused_with_its_field() -> None:
    with pytest.raises(ConfigError, match="identity.change"):
        parse_policy('[identity]\nchange = "a_smile"\n[actions.cancel_order]\n')


@pytest.mark.parametrize(
    ("facts", "level"),
    [
        ({}, L.NONE),
        ({"by_email": True}, L.NONE),  # an address that matches nothing reaches nothing
        ({"account_found": True, "by_email": True}, L.EMAIL),
        ({"account_found": True, "by_email": False, "factor_matches": True}, L.EMAIL),
        ({"account_found": True, "by_email": True, "factor_matches": True}, L.EMAIL_FACTOR),
        ({"account_found": True, "by_email": True, "code_verified": True}, L.ONE_TIME_CODE),
        ({"signed": True}, L.SIGNED_TOKEN),
    ],
)
def test_level_from_facts(facts: dict[str, bool], level: IdentityLevel) -> None:
    args = {"account_found": False, "by_email": False, "factor_matches": False,
            "code_verified": False, "signed": False} | facts
    assert level_from_facts(**args) is level


@pytest.mark.parametrize(
    ("reached", "needed", "email_known", "ask"),
    [
        (L.NONE, L.EMAIL_FACTOR, False, "identity"),
        (L.NONE, L.EMAIL_FACTOR, True, "identity_factor"),  # unknown address: same question
        (L.EMAIL, L.EMAIL_FACTOR, True, "identity_factor"),
        (L.EMAIL_FACTOR, L.EMAIL_FACTOR, True, None),
        (L.EMAIL_FACTOR, L.ONE_TIME_CODE, True, "one_time_code"),
        (L.NONE, L.ONE_TIME_CODE, True, "one_time_code"),  # unknown address: same answer
        (L.ONE_TIME_CODE, L.ONE_TIME_CODE, True, None),
        (L.SIGNED_TOKEN, L.ONE_TIME_CODE, False, None),
        (L.NONE, L.NONE, False, None),
    ],
)
def test_next_factor(
    reached: IdentityLevel, needed: IdentityLevel, email_known: bool, ask: str | None
) -> None:
    assert next_factor(reached, needed, email_known=email_known) == ask


def test_a_code_is_six_digits_and_only_its_hash_is_kept() -> None:
    code, record = issue_code(KEY, "code-1", NOW, ttl=timedelta(minutes=10), max_attempts=3)
    assert len(code) == 6 and code.isdigit()
    assert code not in record.code_hash
    assert record.code_hash == code_hash(KEY, "code-1", code)
    assert record.code_hash != code_hash(derive_code_key("another secret"), "code-1", code)
    assert record.expires_at == NOW + timedelta(minutes=10)


def test_codes_differ() -> None:
    ttl = timedelta(minutes=1)
    codes = {issue_code(KEY, "c", NOW, ttl=ttl, max_attempts=1)[0] for _ in range(50)}
    assert len(codes) > 40


def test_checking_a_code() -> None:
    code, record = issue_code(KEY, "code-1", NOW, ttl=timedelta(minutes=10), max_attempts=3)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    ok = {"attempts": 0, "used": False}
    assert check_code(KEY, record, code, NOW, **ok) is CodeCheck.OK
    assert check_code(KEY, record, f" {code}\n", NOW, **ok) is CodeCheck.OK
    assert check_code(KEY, record, wrong, NOW, **ok) is CodeCheck.WRONG
    assert check_code(KEY, record, code, NOW + timedelta(minutes=10), **ok) is CodeCheck.EXPIRED
    # the right code after too many wrong ones, or a second time, opens nothing
    assert check_code(KEY, record, code, NOW, attempts=3, used=False) is CodeCheck.EXHAUSTED
    assert check_code(KEY, record, code, NOW, attempts=0, used=True) is CodeCheck.EXHAUSTED
    # another record's code does not open this one
    other, _ = issue_code(KEY, "code-2", NOW, ttl=timedelta(minutes=10), max_attempts=3)
    if other != code:
        assert check_code(KEY, record, other, NOW, **ok) is CodeCheck.WRONG


@pytest.mark.parametrize(
    ("message", "code", "kept"),
    [
        ("482913", "482913", "[code]"),
        ("the code is 482 913", "482913", "the code is [code]"),
        ("482913.", "482913", "[code]."),
        # an order id, an item id, a zip code and a phone number are not codes
        ("order #W4829131", None, "order #W4829131"),
        ("item 1234567890", None, "item 1234567890"),
        ("zip 10001", None, "zip 10001"),
        # a long message is not read as an answer to the code question, but whatever in it
        # looks like a code is still not kept
        ("x" * 80 + " 482913", None, "x" * 80 + " [code]"),
    ],
)
def test_a_typed_code_is_read_and_hidden(message: str, code: str | None, kept: str) -> None:
    assert typed_code(message) == code
    assert hide_codes(message, "[code]") == kept
