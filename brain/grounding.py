"""Grounded replies: a reply may state an amount, an order id or a date only if the facts hold it.

Whatever brain wrote the reply, `ground_reply` checks it against the facts it was
given (`ReplyRequest.facts`, `answer` and `reasons`). A reply that states anything
else is replaced by the offline template for the same step, which is filled from
those facts alone; if even that does not pass, by a fixed text that states nothing.
Knowledge answers (`ground_knowledge_reply`) are checked the same way against the
passage they answer from: a number, date, order id or address the passage does not
hold puts the passage's own words in the reply's place.
Pure: regular expressions and `Decimal`, no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from brain.base import Reply, ReplyRequest
from brain.templates import compose_from_template
from domain.knowledge import KnowledgeAnswer, Passage, word_knowledge_answer

SAFE_TEXT = (
    "I'm sorry, I can't give you a reliable answer to that just now. A colleague from our "
    "support team can look at it with you — just ask for a person."
)

_ORDER_ID = re.compile(r"#?\s?\bW\s?(\d{7})\b", re.IGNORECASE)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"  # 2024-05-01
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"  # 5/1/2024, 01.05.24
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"  # May 1st, 2024
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b(?:,?\s+\d{{4}})?"  # 1 May 2024
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")


@dataclass(frozen=True)
class Claims:
    order_ids: frozenset[str]
    amounts: frozenset[Decimal]
    dates: frozenset[str]


def _decimal(whole: str, fraction: str | None) -> Decimal | None:
    try:
        return Decimal(whole.replace(",", "") + (fraction or "")).normalize()
    except InvalidOperation:
        return None


def claims(text: str) -> Claims:
    """The order ids, amounts (any number) and dates a text states."""
    order_ids = frozenset("#W" + m for m in _ORDER_ID.findall(text))
    dates = frozenset(m.group(0).lower() for m in _DATE.finditer(text))
    rest = _DATE.sub(" ", _ORDER_ID.sub(" ", text))
    amounts = frozenset(
        d
        for whole, fraction in _NUMBER.findall(rest)
        if (d := _decimal(whole, fraction)) is not None
    )
    return Claims(order_ids, amounts, dates)


def _strings(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def facts_text(request: ReplyRequest) -> str:
    """Everything the reply may draw on, as one text."""
    return "\n".join([_strings(request.facts), request.answer or "", *request.reasons])


def ungrounded(text: str, request: ReplyRequest) -> list[str]:
    """What the reply states that the facts do not hold, one readable entry per claim."""
    source = facts_text(request)
    held = claims(source)
    held_dates = source.lower()
    said = claims(text)
    problems = [f"order id {o}" for o in sorted(said.order_ids - held.order_ids)]
    problems += [f"amount {a:f}" for a in sorted(said.amounts - held.amounts)]
    problems += [f"date {d!r}" for d in sorted(said.dates) if d not in held_dates]
    return problems


def ground_reply(reply: Reply, request: ReplyRequest) -> tuple[Reply, list[str]]:
    """The reply if it is grounded, else a safe one; and what was wrong with it."""
    problems = ungrounded(reply.text, request)
    if not problems:
        return reply, []
    fallback = compose_from_template(request)
    if ungrounded(fallback.text, request):
        fallback = Reply(text=SAFE_TEXT, reason=fallback.reason)
    return fallback.model_copy(update={"usage": reply.usage}), problems


# --- knowledge answers ------------------------------------------------------------------

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def ungrounded_knowledge(text: str, passages: Sequence[Passage]) -> list[str]:
    """What a knowledge answer states that its passages do not: numbers (days, amounts,
    hours, percentages), dates, order ids and email addresses. The passages' titles and
    headings count as theirs, so citing them is always allowed."""
    source = "\n".join(f"{p.title}\n{p.heading}\n{p.text}" for p in passages)
    held = claims(source)
    said = claims(_EMAIL.sub(" ", text))
    problems = [f"order id {o}" for o in sorted(said.order_ids - held.order_ids)]
    problems += [f"number {a:f}" for a in sorted(said.amounts - held.amounts)]
    problems += [f"date {d!r}" for d in sorted(said.dates) if d not in source.lower()]
    held_emails = {e.lower() for e in _EMAIL.findall(source)}
    problems += [
        f"address {e}" for e in sorted({e.lower() for e in _EMAIL.findall(text)} - held_emails)
    ]
    return problems


def ground_knowledge_reply(text: str, answer: KnowledgeAnswer) -> tuple[str, list[str]]:
    """A knowledge reply if it states only what its passage holds, else the passage's own
    words with the citation (the offline wording); and what was wrong with it.

    A "no match" answer has no passage: a reply may then state no number at all.
    """
    passages = [answer.passage] if answer.passage is not None else []
    problems = ungrounded_knowledge(text, passages)
    if not problems:
        return text, []
    return word_knowledge_answer(answer), problems
