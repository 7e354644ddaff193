"""The offline brain: deterministic understanding and template replies, no network.

Understanding is keyword rules plus regular-expression extraction of order ids,
emails, names, zip codes, item ids, payment-method mentions, cancellation
reasons and yes/no. Replies are templates filled only with facts from the store
and the policy, so they cannot state anything the facts do not hold.
"""

from __future__ import annotations

import re

from brain.base import Entities, Reply, ReplyRequest, TurnContext, Understanding
from domain.dialogue import Category

ORDER_ID = re.compile(r"#?\s?\b[wW]\s?(\d{7})\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ZIP = re.compile(r"\b(\d{5})\b")
ITEM_ID = re.compile(r"\b(\d{10})\b")
NAME = re.compile(
    r"\b(?:i am|i'm|im|my name is|this is|name's)\s+([A-Z][a-z]+)\s+([A-Z][a-z]+)", re.IGNORECASE
)

_YES = re.compile(
    r"^\s*(yes|yep|yeah|yup|sure|ok(ay)?|confirm(ed)?|go ahead|please do|do it|correct|"
    r"that'?s (right|correct)|absolutely|y)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(no|nope|nah|don'?t|do not|cancel that|stop|wait|never ?mind|not now|n)\b", re.IGNORECASE
)

# (category, keywords); the first category with the most hits wins.
_RULES: list[tuple[Category, tuple[str, ...]]] = [
    (Category.TALK_TO_HUMAN, ("human", "real person", "agent", "representative", "someone real", "talk to a person", "speak to a person")),
    (Category.CANCEL_ORDER, ("cancel",)),
    (Category.RETURN, ("return", "send back", "send it back", "refund for")),
    (Category.EXCHANGE, ("exchange", "swap", "different size", "different color", "different colour")),
    (Category.REFUND_STATUS, ("refund status", "where is my refund", "my refund", "refunded yet")),
    (Category.ORDER_STATUS, ("where is", "status", "track", "tracking", "shipped", "arrive", "delivery", "when will")),
    (Category.CHANGE_ADDRESS, ("shipping address", "ship to", "deliver to", "wrong address")),
    (Category.ACCOUNT_ADDRESS, ("default address", "account address", "my address on file")),
    (Category.CHANGE_PAYMENT, ("payment method", "pay with", "different card", "charge my")),
    (Category.CHANGE_ITEMS, ("change the", "modify", "change my order", "instead of")),
    (Category.POLICY_QUESTION, ("policy", "how long do i have", "return window", "how many days", "can i return")),
    (Category.PRODUCT_QUESTION, ("in stock", "available", "do you sell", "what colors", "what sizes")),
    (Category.COMPLAINT, ("terrible", "awful", "complain", "complaint", "unacceptable", "worst", "angry")),
]

_REASONS = {
    "no longer needed": ("no longer need", "don't need", "dont need", "not needed", "no longer needed", "changed my mind"),
    "ordered by mistake": ("by mistake", "mistake", "accident", "accidentally", "wrong order"),
}


def extract_entities(text: str) -> Entities:
    lowered = text.lower()
    entities = Entities(
        order_ids=[f"#W{m}" for m in ORDER_ID.findall(text)],
        emails=EMAIL.findall(text),
        item_ids=ITEM_ID.findall(text),
    )
    zips = [z for z in ZIP.findall(text) if f"W{z}" not in text.upper()]
    if zips:
        entities.zip = zips[-1]
    if name := NAME.search(text):
        entities.first_name, entities.last_name = name.group(1).title(), name.group(2).title()
    if "gift card" in lowered or "giftcard" in lowered:
        entities.payment = "gift_card"
    elif "paypal" in lowered:
        entities.payment = "paypal"
    elif re.search(r"\b(card|visa|mastercard|amex|credit)\b", lowered):
        entities.payment = "credit_card"
    for reason, phrases in _REASONS.items():
        if any(p in lowered for p in phrases):
            entities.cancel_reason = reason
    return entities


def classify(text: str) -> tuple[Category, float, str]:
    lowered = text.lower()
    best, best_hits, matched = Category.OTHER, 0, ""
    for category, keywords in _RULES:
        hits = [k for k in keywords if k in lowered]
        if len(hits) > best_hits:
            best, best_hits, matched = category, len(hits), hits[0]
    if best_hits == 0:
        return Category.OTHER, 0.3, "no known request words"
    return best, min(0.6 + 0.2 * best_hits, 0.95), f"mentions {matched!r}"


class OfflineBrain:
    """Rules and templates; the default when no model is configured."""

    name = "offline"

    async def understand(self, turn: TurnContext) -> Understanding:
        text = turn.text[:4000]
        entities = extract_entities(text)
        category, confidence, rationale = classify(text)
        affirm: bool | None = None
        if _YES.search(text):
            affirm = True
        elif _NO.search(text):
            affirm = False
        wants_human = category is Category.TALK_TO_HUMAN
        # A bare answer to our question keeps the conversation's topic.
        if category is Category.OTHER and turn.previous_category is not None:
            if affirm is not None or turn.awaiting or entities.model_dump(exclude_defaults=True):
                category, confidence = turn.previous_category, 0.9
                rationale = "continues the previous request"
        if category is Category.CANCEL_ORDER and turn.has_proposal and affirm is False:
            category = turn.previous_category or category
        return Understanding(
            category=category,
            confidence=confidence,
            wants_human=wants_human,
            affirm=affirm,
            entities=entities,
            rationale=rationale,
        )

    async def compose(self, request: ReplyRequest) -> Reply:
        return compose_from_template(request)


_ASK = {
    "identity": (
        "To keep your account safe, I first need to confirm who you are: please tell me the "
        "email address on your account, or your full name and zip code."
    ),
    "order_id": "Which order is this about? The order number starts with #W.",
    "cancel_reason": (
        "May I ask why you'd like to cancel — is it no longer needed, or was it ordered by mistake?"
    ),
    "payment_method": "Which payment method should the refund go to?",
    "preferred_resolution": "What would you like us to do to put this right?",
    "request": "I'm sorry, I didn't quite catch that. Could you tell me what you need help with?",
}


def compose_from_template(request: ReplyRequest) -> Reply:
    """Word a reply from the decision and its facts alone."""
    f = request.facts
    intro = "Hi, I'm Trustdesk, the shop's AI assistant. " if request.first_turn else ""
    reason = request.reasons[0] if request.reasons else None
    step = request.step
    if step == "ask":
        text = _ASK.get(request.ask_for or "request", _ASK["request"])
        if request.ask_for == "identity" and f.get("identity_failed"):
            text = "I couldn't find an account with those details. " + text
        return Reply(text=intro + text, reason=reason)
    if step == "confirm":
        p = f["proposal"]
        text = f"Here is what I can do: {p['summary']}. "
        if p.get("because"):
            text = f"Because {p['because']}, I can {p['summary']}. "
        if p.get("needs_approval"):
            text += "An approver will need to sign this off before it happens. "
        text += "Shall I go ahead? Please answer yes or no."
        return Reply(text=intro + text, reason=reason)
    if step == "executed":
        r = f["result"]
        text = f"Done: {r['summary']}."
        if r.get("refund_note"):
            text += f" {r['refund_note']}"
        return Reply(text=text, reason=reason)
    if step == "awaiting_approval":
        p = f["proposal"]
        text = (
            f"Thank you. Because {p['approval_reason']}, an approver will review this. "
            f"You can expect an answer {f.get('sla', 'soon')}; I'll write to you here."
        )
        return Reply(text=text, reason=reason)
    if step == "rejected":
        note = f.get("approval", {}).get("note")
        text = "I'm sorry, the request was not approved"
        text += f": {note}" if note else "."
        if not text.endswith("."):
            text += "."
        text += " If you'd like, a colleague can look at it with you — just ask for a person."
        return Reply(text=text, reason=reason)
    if step == "refuse":
        return Reply(text=intro + f"I'm sorry, I can't do that: {f.get('refusal', reason)}.", reason=reason)
    if step == "escalate":
        text = (
            "I'm handing this to a colleague from our support team, together with everything "
            "you've told me, so you won't need to repeat yourself. "
            f"You can expect a reply {f.get('sla', 'soon')}."
        )
        return Reply(text=intro + text, reason=reason)
    if step == "answer":
        return Reply(text=intro + _answer(request), reason=reason)
    if step == "waiting":
        return Reply(text=f.get("waiting", "Your request is being reviewed; I'll write as soon as there's news."), reason=reason)
    return Reply(text=intro + _ASK["request"], reason=reason)


def _answer(request: ReplyRequest) -> str:
    f = request.facts
    if request.answer == "declined":
        return "No problem, I won't make any changes. Is there anything else I can help with?"
    if request.answer == "policy":
        return f.get("policy_text", "A colleague can explain the details of our policy.")
    if request.answer == "order_status" and "order" in f:
        o = f["order"]
        text = f"Your order {o['id']} is {o['status']}."
        if o.get("tracking"):
            text += f" Tracking number: {', '.join(o['tracking'])}."
        if o.get("refunds"):
            text += f" Refunds on this order so far: {o['refunds']}."
        return text
    return "Is there anything else I can help with?"
