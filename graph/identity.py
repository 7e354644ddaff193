"""Who is writing, as sure as the request needs: the `verify_identity` step of a turn.

Each turn the level the conversation has reached (`domain/identity.py`) is worked out
again from what the channel vouched for, what the customer wrote and the case's
one-time code, and compared with what the request needs under the shop's policy
(`Policy.identity`). When it falls short, `identity_ask` names the next factor: the
email, a second factor (zip or full name), or the code, which is then sent to the
email on file through the outbox. An address with no account gets the same questions
and the same "if that address has an account, a code is on its way" as one that has,
so no reply tells whether an account exists.

`verified` means the level reached covers the request and, since a verified customer's
account and orders become facts a reply may state, at least the policy's `read_order`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from brain.templates import ONE_TIME_CODE_SHOWN
from domain.dialogue import ACTION_OF_CATEGORY, Category
from domain.errors import NotFound
from domain.identity import (
    CodeCheck,
    CodeRecipient,
    IdentityLevel,
    RequestKind,
    hide_codes,
    level_from_facts,
    next_factor,
    typed_code,
)
from domain.policy import Policy
from domain.retail import Customer
from graph.deps import AgentDeps
from graph.state import CapturedState, CaseState

_GENERAL = frozenset({Category.POLICY_QUESTION.value, Category.PRODUCT_QUESTION.value})


def request_kind(
    category: str | None, consent_request: Mapping[str, bool] | None = None
) -> RequestKind:
    """What a request of `category` exposes or changes. A request about the customer's
    consent (`captured["consent_request"]`) changes their account when it names flags
    to change, and shows their own data when it names none, whatever the category."""
    if consent_request is not None:
        return RequestKind.CHANGE if consent_request else RequestKind.READ_ORDER
    if category and Category(category) in ACTION_OF_CATEGORY:
        return RequestKind.CHANGE
    if category in _GENERAL:
        return RequestKind.GENERAL
    return RequestKind.READ_ORDER


def code_awaited(state: CaseState) -> bool:
    """Whether the case asked for the one-time code, so the next message may hold it."""
    return state.get("identity_ask") == "one_time_code"


def hide_awaited_code(state: CaseState, message: str) -> str:
    """`message` as the case keeps it: while a code is awaited, any code in it is shown as
    "[one-time code]". Only the turn's own check (`verify_identity`) reads it as typed; the
    transcript, the brain and the state carried past the turn get this."""
    return hide_codes(message, ONE_TIME_CODE_SHOWN) if code_awaited(state) else message


def _factor_matches(customer: Customer, captured: CapturedState) -> bool:
    zip_code = str(captured.get("zip") or "").strip()
    if zip_code and zip_code == customer.address.zip.strip():
        return True
    first, last = captured.get("first_name"), captured.get("last_name")
    if not (first and last):
        return False
    given = (str(first).strip().lower(), str(last).strip().lower())
    held = (customer.first_name.lower(), customer.last_name.lower())
    return given in (held, held[::-1])  # "Lovelace Ada" is Ada Lovelace too


def _find(deps: AgentDeps, **how: str) -> Customer | None:
    try:
        if "customer_id" in how:
            return deps.shop.get_customer(how["customer_id"])
        if "email" in how:
            return deps.shop.find_customer_by_email(how["email"])
        return deps.shop.find_customer_by_name_zip(how["first"], how["last"], how["zip"])
    except NotFound:
        return None


def verify_identity(
    deps: AgentDeps, state: CaseState, now: datetime | None = None
) -> dict[str, Any]:
    """The identity level reached this turn, what it still needs, and the customer."""
    rules = deps.policy.identity
    now = now or deps.clock()
    claim = state.get("identity_claim") or {}
    captured = state.get("captured") or CapturedState()
    email = str(captured.get("email") or "").strip().lower()
    previous = IdentityLevel(state.get("identity_level") or IdentityLevel.NONE)
    update: dict[str, Any] = {}

    customer: Customer | None = None
    level = IdentityLevel.NONE
    # A factor given to be matched: a zip alone, with no name or email to match it to, is
    # no attempt to say who they are.
    factor_given = bool(captured.get("zip") or captured.get("last_name")) and bool(
        captured.get("last_name") or captured.get("email")
    )
    if claim.get("customer_id"):
        customer = _find(deps, customer_id=str(claim["customer_id"]))
        level = IdentityLevel.SIGNED_TOKEN if customer else IdentityLevel.NONE
    elif claim.get("mailbox"):  # an email whose sender the receiving server proved
        customer = _find(deps, email=str(claim["mailbox"]))
        level = IdentityLevel.ONE_TIME_CODE if customer else IdentityLevel.NONE
    if customer is None and email:
        customer = _find(deps, email=email)
        level = level_from_facts(
            account_found=customer is not None,
            by_email=True,
            factor_matches=customer is not None and _factor_matches(customer, captured),
            code_verified=False,
            signed=False,
        )
    elif customer is None and captured.get("first_name") and captured.get("zip"):
        first, last = str(captured["first_name"]), str(captured.get("last_name") or "")
        zip_code = str(captured["zip"])
        customer = _find(deps, first=first, last=last, zip=zip_code)
        if customer is None and last:  # surname first: "Lovelace Ada 10001"
            customer = _find(deps, first=last, last=first, zip=zip_code)
        level = IdentityLevel.EMAIL if customer else IdentityLevel.NONE

    # A level reached earlier in the case holds for the same customer only.
    same_customer = customer is not None and customer.id == state.get("customer_id")
    if same_customer and previous.rank > level.rank:
        level = previous

    # A code typed while one was awaited.
    code = typed_code(state.get("message", ""))
    check: CodeCheck | None = None
    if code_awaited(state) and code:
        check, opened = deps.codes.verify(case_id=state.get("case_id", ""), typed=code, now=now)
        update["code_check"] = check.value
        if check is CodeCheck.OK and customer is not None and opened == customer.id:
            level = IdentityLevel.ONE_TIME_CODE

    kind = request_kind(state.get("category"), captured.get("consent_request"))
    needed = max(rules.needed(kind), rules.read_order, key=lambda lvl: lvl.rank)
    ask = next_factor(level, needed, email_known=bool(email))
    if ask is None and customer is None:
        ask = "identity"  # nothing needed, but nobody to act for either
    spent = check in (CodeCheck.EXPIRED, CodeCheck.EXHAUSTED)
    if ask == "one_time_code" and (not code_awaited(state) or spent):
        case_id = state.get("case_id", "")
        update["code_sent"] = deps.codes.request(
            code_id=f"{case_id}/code-{state.get('turn', 0)}",
            case_id=case_id,
            recipient=CodeRecipient(customer.id, customer.email) if customer else None,
            rules=rules,
            now=now,
        )
        update["code_limit"] = not update["code_sent"]
    else:
        update["code_sent"] = False
    verified = ask is None and customer is not None
    update |= {
        "identity_level": level.value,
        "identity_ask": ask,
        "verified": verified,
        # Only a factor that was given and does not match is worth saying; an email alone
        # that matches nothing is asked for the same factor as one that matches.
        # Whether the address has an account or not, a factor that does not reach
        # email+factor reads the same.
        "identity_failed": not verified
        and factor_given
        and not level.satisfies(IdentityLevel.EMAIL_FACTOR),
    }
    if customer is not None and (verified or level.rank >= IdentityLevel.EMAIL.rank):
        update["customer_id"] = customer.id
    return update


def may_change(state: CaseState, policy: Policy) -> bool:
    """Whether the level reached lets the customer change anything or move money."""
    level = IdentityLevel(state.get("identity_level") or IdentityLevel.NONE)
    return bool(state.get("verified")) and level.satisfies(policy.identity.change)


def keep_topic_for_code(state: CaseState, understood: dict[str, Any]) -> dict[str, Any]:
    """A message that only answers the code question stays on the request it verifies."""
    previous = state.get("category")
    if not code_awaited(state) or not previous:
        return {}
    if typed_code(state.get("message", "")) is None:
        return {}
    if understood.get("category") == previous:
        return {}
    return {"category": previous, "confidence": max(float(understood.get("confidence") or 0), 0.9)}
