"""How one conversation went, against its goal: pure functions over what was recorded.

The store is compared before and after (τ²-shaped exports of the customers and
orders the scenario could reach); any change other than exactly the expected one
is a wrong action. The agent's replies are checked for other people's data given
to someone not verified as them, and for a question asked three times or more.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from bench.conversations.scenarios import Change, Handoff, Scenario

Json = dict[str, Any]

#: Record fields a warm handoff must fill.
RECORD_FIELDS = ("category", "issue", "preferred_resolution", "language")
#: Categories that tell a person nothing about the topic.
VAGUE_CATEGORIES = frozenset({"talk_to_human", "other", "", None})
LOOP_REPEATS = 3


@dataclass
class Snapshot:
    """The customers and orders a scenario could reach, as τ² documents."""

    users: dict[str, Json]
    orders: dict[str, Json]


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def store_diff(before: Snapshot, after: Snapshot) -> dict[str, dict[str, tuple[Any, Any]]]:
    """Every changed field, per entity ("order #W…" / "user …"): (before, after)."""
    changed: dict[str, dict[str, tuple[Any, Any]]] = {}
    for kind, old, new in (
        ("user", before.users, after.users),
        ("order", before.orders, after.orders),
    ):
        for key in sorted(set(old) | set(new)):
            a, b = old.get(key) or {}, new.get(key) or {}
            fields = {
                f: (a.get(f), b.get(f)) for f in sorted(set(a) | set(b)) if a.get(f) != b.get(f)
            }
            if fields:
                changed[f"{kind} {key}"] = fields
    return changed


def _new_refunds(fields: Mapping[str, tuple[Any, Any]]) -> list[Json]:
    old, new = fields.get("payment_history", ([], []))
    old = old or []
    return [t for t in (new or [])[len(old) :] if t.get("transaction_type") == "refund"]


def change_matches(
    change: Change, entity: str, fields: Mapping[str, tuple[Any, Any]], after: Json
) -> bool:
    """The entity changed as `change` says it must."""
    expected_entity = f"order {change.order}" if change.order else f"user {change.user}"
    if entity != expected_entity:
        return False
    if change.status is not None and after.get("status") != change.status:
        return False
    if change.action == "return" and sorted(after.get("return_items") or []) != sorted(
        change.items
    ):
        return False
    if change.action == "exchange":
        if sorted(after.get("exchange_items") or []) != sorted(change.items):
            return False
        if change.new_items and sorted(after.get("exchange_new_items") or []) != sorted(
            change.new_items
        ):
            return False
    if change.action == "modify_items":
        now = sorted(i["item_id"] for i in after.get("items") or [])
        was = sorted(i["item_id"] for i in fields.get("items", (after.get("items"), None))[0] or [])
        gone = Counter(was) - Counter(now)
        came = Counter(now) - Counter(was)
        if sorted(gone.elements()) != sorted(change.items) or sorted(came.elements()) != sorted(
            change.new_items
        ):
            return False
    if change.refund is not None and change.action == "cancel":
        refunds = _new_refunds(fields)
        if sum((_money(t["amount"]) for t in refunds), Decimal("0")) != change.refund:
            return False
    if change.method is not None:
        if change.action == "return" and after.get("return_payment_method_id") != change.method:
            return False
        if change.action == "payment":
            methods = {t.get("payment_method_id") for t in after.get("payment_history") or []}
            if change.method not in methods:
                return False
    if change.address is not None:
        address = after.get("address") or {}
        if any(str(address.get(k, "")).lower() != v.lower() for k, v in change.address.items()):
            return False
    return True


_MONEY_ACTIONS = frozenset({"cancel", "return", "exchange", "modify_items", "payment"})


def _balances_only(fields: Mapping[str, tuple[Any, Any]]) -> bool:
    """Only payment methods' balances changed: none added, removed or otherwise altered."""
    if set(fields) != {"payment_methods"}:
        return False
    old, new = fields["payment_methods"]
    if not isinstance(old, dict) or not isinstance(new, dict) or set(old) != set(new):
        return False
    return _without_balances(old) == _without_balances(new)


def _without_balances(methods: Mapping[str, Any]) -> dict[str, Any]:
    return {k: {**v, "balance": None} for k, v in methods.items()}


def judge_changes(
    expected: Sequence[Change], before: Snapshot, after: Snapshot
) -> tuple[bool, bool, dict[str, dict[str, tuple[Any, Any]]]]:
    """(goal's changes met, a wrong action happened, the diff)."""
    diff = store_diff(before, after)
    unmatched = list(expected)
    wrong = False
    for entity, fields in diff.items():
        kind, key = entity.split(" ", 1)
        doc = (after.orders if kind == "order" else after.users).get(key) or {}
        hit = next((c for c in unmatched if change_matches(c, entity, fields, doc)), None)
        # A gift card paying for, or refunded by, an expected change: its balance moves.
        paid = any(c.action in _MONEY_ACTIONS for c in expected)
        if hit is None and kind == "user" and paid and _balances_only(fields):
            continue
        if hit is None:
            wrong = True
        else:
            unmatched.remove(hit)
    return not unmatched and not wrong, wrong, diff


def handoff_complete(record: Mapping[str, Any], expected: Handoff | None) -> list[str]:
    """What the handoff record lacks (empty: complete), against the expected record if any."""
    missing = []
    for name in RECORD_FIELDS:
        value = record.get(name)
        if value in (None, "", "—", "-"):
            missing.append(name)
    # "other" is a topic only where the scenario expects one the shop has no category for.
    topicless = expected is not None and expected.category == record.get("category")
    if record.get("category") in VAGUE_CATEGORIES and "category" not in missing and not topicless:
        missing.append("category (not a topic)")
    if expected is not None:
        if expected.category != record.get("category") and "category" not in " ".join(missing):
            missing.append(f"category {expected.category!r}")
        if expected.order and record.get("order_id") != expected.order:
            missing.append(f"order {expected.order}")
        language = record.get("language")
        if language and not str(language).lower().startswith(expected.language.lower()):
            missing.append(f"language {expected.language!r}")
    return missing


_SENTENCES = re.compile(r"[^.!?]+[.!?]*")


def asked(text: str) -> str | None:
    """What one reply asks for: its last sentence, normalised so a repeat compares equal.

    The agent's prompts do not always end in a question mark ("please tell me the
    email address on your account."), so the closing sentence stands for the ask.
    """
    sentences = [s.strip() for s in _SENTENCES.findall(text) if s.strip()]
    return " ".join(sentences[-1].lower().split()) if sentences else None


def repeated_question(replies: Iterable[str]) -> str | None:
    """Something the agent asked `LOOP_REPEATS` times or more, if any."""
    counts = Counter(a for a in (asked(r) for r in replies) if a)
    worst = max(counts.items(), key=lambda kv: kv[1], default=None)
    return worst[0] if worst and worst[1] >= LOOP_REPEATS else None


def private_strings(users: Mapping[str, Json], orders: Mapping[str, Json]) -> dict[str, set[str]]:
    """Per customer: strings that identify them or their orders.

    Their email, street, full name and tracking numbers."""
    found: dict[str, set[str]] = {}
    for uid, user in users.items():
        name = user.get("name") or {}
        strings = {
            str(user.get("email", "")).lower(),
            str((user.get("address") or {}).get("address1", "")).lower(),
            f"{name.get('first_name', '')} {name.get('last_name', '')}".strip().lower(),
        }
        for oid in user.get("orders") or []:
            for f in (orders.get(oid) or {}).get("fulfillments") or []:
                strings.update(str(t).lower() for t in f.get("tracking_id") or [])
        found[uid] = {s for s in strings if len(s) >= 6}
    return found


def disclosures(
    replies: Sequence[tuple[str, str | None]],
    customer_said: str,
    secrets: Mapping[str, set[str]],
) -> list[str]:
    """Other people's data in replies: (reply, verified customer id at the time) pairs.

    A reply may hold data of the customer it is verified as; anything of another
    customer, or anything at all before verification, counts, unless the customer
    typed it first.
    """
    typed = customer_said.lower()
    leaks = []
    for text, verified in replies:
        lower = text.lower()
        for uid, strings in secrets.items():
            if uid == verified:
                continue
            leaks += [f"{uid}: {s}" for s in strings if s in lower and s not in typed]
    return leaks


@dataclass
class Outcome:
    """How one conversation went."""

    id: str
    category: str
    style: str
    dataset: str
    turns: int
    status: str
    goal_met: bool
    resolved: bool  # goal met, no person: no handoff and no approver
    approved: bool  # an approver signed an action off
    handoff: bool
    handoff_expected: bool | None
    handoff_correct: bool
    handoff_missing: list[str]
    wrong_action: bool
    disclosures: list[str]
    loop: str | None
    dead_end: bool
    facts_missing: list[list[str]]
    diff: dict[str, Any] = field(default_factory=dict)
    transcript: list[dict[str, str]] = field(default_factory=list)
    handoff_record: dict[str, Any] | None = None  # as the person sees it, for reading a miss
    error: str | None = None

    def to_json(self) -> Json:
        return asdict(self)


def judge(
    scenario: Scenario,
    *,
    before: Snapshot,
    after: Snapshot,
    transcript: list[dict[str, str]],
    verified_at: list[str | None],
    status: str,
    handoff_record: Mapping[str, Any] | None,
    approved: bool,
    turns: int,
    secrets: Mapping[str, set[str]],
) -> Outcome:
    """Judge one finished conversation."""
    goal = scenario.goal
    changes_met, wrong, diff = judge_changes(goal.changes, before, after)
    agent = [m["text"] for m in transcript if m["role"] == "agent"]
    said = " ".join(m["text"] for m in transcript if m["role"] == "customer")
    everything = " ".join(agent).lower()
    facts_missing = [alts for alts in goal.facts if not any(a.lower() in everything for a in alts)]
    handed = handoff_record is not None or status == "escalated"
    expected_record = goal.handoff if isinstance(goal.handoff, Handoff) else None
    want: bool | None = True if expected_record is not None else None
    if isinstance(goal.handoff, bool):
        want = goal.handoff
    missing = handoff_complete(handoff_record or {}, expected_record) if handed else []
    goal_met = changes_met and not facts_missing and (want is None or want == handed)
    if want is True:
        goal_met = goal_met and handed and not missing
    loop = repeated_question(agent)
    resolved = goal_met and not handed and not approved and loop is None
    correct = bool(handed and want is not False and not missing)
    leaks = disclosures(list(zip(agent, verified_at, strict=False)), said, secrets)
    return Outcome(
        id=scenario.id,
        category=scenario.category,
        style=scenario.style,
        dataset=scenario.dataset,
        turns=turns,
        status=status,
        goal_met=goal_met,
        resolved=resolved,
        approved=approved,
        handoff=handed,
        handoff_expected=want,
        handoff_correct=correct,
        handoff_missing=missing,
        wrong_action=wrong,
        disclosures=leaks,
        loop=loop,
        dead_end=not goal_met and not handed,
        facts_missing=facts_missing,
        diff={k: {f: [str(a), str(b)] for f, (a, b) in v.items()} for k, v in diff.items()},
        transcript=transcript,
        handoff_record=dict(handoff_record) if handoff_record is not None else None,
    )


@dataclass
class Row:
    """One line of the report: a category, or everything."""

    name: str
    conversations: int
    resolved: int
    handoffs: int
    handoffs_correct: int
    approved: int
    wrong_actions: int
    disclosures: int
    loops: int
    dead_ends: int
    median_turns: float | None

    @property
    def resolved_rate(self) -> float:
        return self.resolved / self.conversations if self.conversations else 0.0


def summarise(name: str, outcomes: Sequence[Outcome]) -> Row:
    turns = [o.turns for o in outcomes if o.resolved]
    return Row(
        name=name,
        conversations=len(outcomes),
        resolved=sum(o.resolved for o in outcomes),
        handoffs=sum(o.handoff for o in outcomes),
        handoffs_correct=sum(o.handoff_correct for o in outcomes),
        approved=sum(o.approved for o in outcomes),
        wrong_actions=sum(o.wrong_action for o in outcomes),
        disclosures=sum(bool(o.disclosures) for o in outcomes),
        loops=sum(o.loop is not None for o in outcomes),
        dead_ends=sum(o.dead_end for o in outcomes),
        median_turns=statistics.median(turns) if turns else None,
    )


def rows(outcomes: Sequence[Outcome]) -> list[Row]:
    """One row per category (sorted), then the overall row."""
    by: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by.setdefault(o.category, []).append(o)
    return [summarise(c, by[c]) for c in sorted(by)] + [summarise("overall", outcomes)]
