"""Reply templates: every sentence the offline brain says, filled only from the facts given.

Pure (no I/O, no model), so the grounding check can fall back to it from anywhere.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from brain.base import Reply, ReplyRequest
from domain.money import format_money

# --- sentences the agent's steps say outside a composed reply -------------------------

POLICY_SUMMARY = (
    "Pending orders can be cancelled (because they are no longer needed or were ordered by "
    "mistake) and refunded in full. Delivered orders can be returned or exchanged once; "
    "refunds go to the original payment method or to a gift card. Gift card refunds arrive "
    "immediately, other refunds within 5 to 7 business days."
)
_REFUND_NOTES = {
    "cancel_order": (
        "Gift card refunds arrive immediately; other refunds take 5 to 7 business days."
    ),
    "return_items": (
        "You'll receive an email on how to send the items back; the refund is made once they "
        "arrive."
    ),
}
TURN_FAILED = (
    "I'm sorry, something went wrong on my side. I've passed your message to a colleague, who "
    "will reply here."
)
APPROVED_ACTION_FAILED = (
    "I'm sorry, I couldn't complete the approved request. A colleague will pick it up and "
    "reply here."
)
WITH_A_PERSON = (
    "A colleague from our support team has your case and everything you've told me; they'll "
    "reply here."
)


def refund_note(action: str) -> str | None:
    """What happens to the money after `action` ran, when it moves any."""
    return _REFUND_NOTES.get(action)


def within(minutes: int) -> str:
    """A service time said to the customer: "within 4 hours", "within 90 minutes"."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"within {hours} hour{'s' if hours != 1 else ''}"
    return f"within {minutes} minute{'s' if minutes != 1 else ''}"


def by_time(at: datetime) -> str:
    """A due time said to the customer: "by 14:05 UTC on 07 Dec"."""
    return f"by {at.strftime('%H:%M UTC on %d %b')}"


def approval_pending(due_at: datetime) -> str:
    """The reply to a message that arrives while an approver has the request."""
    return (
        "Your request is with an approver; you'll have an answer "
        f"{by_time(due_at)} at the latest, right here."
    )


def approval_overdue(reply_by: datetime) -> str:
    """The message sent when an approval outlived its SLA and a person took the case."""
    return (
        "Our approvers are taking longer than usual, so a colleague from the support team is "
        f"now looking after your request personally. You'll hear from us here {by_time(reply_by)}."
    )


def action_summary(
    kind: str, order_id: str, amount: Decimal, method: str, detail: str | None = None
) -> str:
    """An action as the customer is asked to confirm it, with its amount and payment method."""
    money = format_money(amount)
    if kind == "cancel_order":
        return f"cancel order {order_id} and refund the full {money} to your {method}"
    if kind == "return_items":
        return f"start a return of order {order_id} for a refund of {money} to your {method}"
    if kind in ("exchange_items", "modify_items") and detail:
        verb = "exchange" if kind == "exchange_items" else "change"
        settled = f", settling the price difference of {money} with your {method}" if amount else ""
        return f"{verb} {detail} in order {order_id}{settled}"
    if kind == "modify_order_address" and detail:
        return f"ship order {order_id} to {detail}"
    if kind == "modify_user_address" and detail:
        return f"change the default address on your account to {detail}"
    if kind == "modify_order_payment":
        return f"pay order {order_id} with your {method}"
    return f"{kind.replace('_', ' ')} on order {order_id} ({money}, {method})"


# --- composed replies ------------------------------------------------------------------

_ASK = {
    "identity": (
        "To keep your account safe, I first need to confirm who you are: please tell me the "
        "email address on your account, or your full name and zip code."
    ),
    "identity_factor": (
        "Thanks. To make sure it's you, please also tell me the zip code of the address on "
        "your account, or your full name."
    ),
    "one_time_code": (
        "For anything that changes your account or moves money I need one more check: if "
        "that address has an account with us, a six-digit code is on its way to it. Please "
        "type the code here."
    ),
    "order_id": "Which order is this about? The order number starts with #W.",
    "cancel_reason": (
        "May I ask why you'd like to cancel — is it no longer needed, or was it ordered by mistake?"
    ),
    "payment_method": "Which payment method should the refund go to?",
    "preferred_resolution": "What would you like us to do to put this right?",
    "request": "I'm sorry, I didn't quite catch that. Could you tell me what you need help with?",
    "need": "How can I help you today?",
    "item": "Which item of the order is this about?",
    "new_option": (
        "Which version would you like instead? Please name the option, for example the colour "
        "or the size."
    ),
    "address": (
        "What is the new address? Please give the street, city, state and zip code, for example "
        "12 Elm Street, Boston, MA 02110."
    ),
    "new_payment": (
        "Which of your payment methods should it be? For a card, please tell me its last four "
        "digits."
    ),
}


def _code_prompt(f: dict[str, object]) -> str:
    """The one-time-code question; never says whether the address has an account."""
    check = f.get("code_check")
    if f.get("code_limit"):
        return (
            "I can't send another code in this conversation. A colleague can help you with "
            "this change: just ask for a person."
        )
    if check == "wrong" and not f.get("code_sent"):
        return "That code doesn't match. Please check the email and type the six-digit code again."
    if check in ("expired", "exhausted") and f.get("code_sent"):
        return (
            "That code can no longer be used. If that address has an account with us, a new "
            "six-digit code is on its way to it. Please type the new code here."
        )
    return _ASK["one_time_code"]


def compose_from_template(request: ReplyRequest) -> Reply:
    """Word a reply from the decision and its facts alone."""
    f = request.facts
    intro = "Hi, I'm Trustdesk, the shop's AI assistant. " if request.first_turn else ""
    reason = request.reasons[0] if request.reasons else None
    step = request.step
    if step == "ask":
        text = _ASK.get(request.ask_for or "request", _ASK["request"])
        items = [i.get("name") for i in ((f.get("order") or {}).get("items") or [])]
        if request.ask_for == "item" and items:
            text += f" It holds: {', '.join(str(i) for i in items if i)}."
        if request.ask_for in ("identity", "identity_factor") and f.get("identity_failed"):
            text = "I couldn't confirm those details. " + text.removeprefix("Thanks. ")
        if request.ask_for == "one_time_code":
            text = _code_prompt(f)
        return Reply(text=intro + text, reason=reason)
    if step == "confirm":
        p = f["proposal"]
        text = f"Here is what I can do: {p['summary']}. "
        if p.get("because"):
            # "the order has not shipped yet, so it can be cancelled …": the cause is enough
            # in front of what the agent offers to do.
            cause = p["because"].split(", so ", 1)[0]
            text = f"Because {cause}, I can {p['summary']}. "
        if p.get("needs_approval"):
            text += "An approver will need to sign this off before it happens. "
        text += "Shall I go ahead? Please answer yes or no."
        return Reply(text=intro + text, reason=reason)
    if step == "executed":
        r = f["result"]
        text = f"Done: I've carried out your request to {r['summary']}."
        approved = (f.get("approval") or {}).get("amount")
        if approved:
            text += (
                f" An approver approved a refund of {approved}, less than the full price of "
                "the items."
            )
        if r.get("refund_note"):
            text += f" {r['refund_note']}"
        return Reply(text=text, reason=reason)
    if step == "awaiting_approval":
        why = _who_reviews(f["proposal"]["approval_reason"])
        text = (
            f"Thank you. {why[:1].upper()}{why[1:]}. "
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
        return Reply(
            text=intro + f"I'm sorry, I can't do that: {f.get('refusal', reason)}.", reason=reason
        )
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
        return Reply(
            text=f.get(
                "waiting", "Your request is being reviewed; I'll write as soon as there's news."
            ),
            reason=reason,
        )
    return Reply(text=intro + _ASK["request"], reason=reason)


def _who_reviews(approval_reason: str) -> str:
    """The policy's reason for an approval, worded for the customer: who decides, and why."""
    for who in ("a senior approver", "an approver"):
        if approval_reason.endswith(f"so {who} decides"):
            return approval_reason.removesuffix("decides") + "will review this"
    return f"because {approval_reason}, an approver will review this"


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
