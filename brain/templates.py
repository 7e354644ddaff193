"""Reply templates: every sentence the offline brain says, filled only from the facts given.

Pure (no I/O, no model), so the grounding check can fall back to it from anywhere.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from brain.base import Reply, ReplyRequest
from domain.dialogue import REFUND_ELSEWHERE
from domain.money import format_money
from domain.policy import ShopTerms
from domain.retail import PaymentMethod

# --- sentences the agent's steps say outside a composed reply -------------------------
# How long a refund takes is said from the policy file's `[terms]` only, the numbers the
# help articles' placeholders are filled from too: one number, from one place.


def refund_timing(
    kind: str | None, card_days: int, paypal_days: int, *, in_general: bool = False
) -> str:
    """How long a refund to a payment method of `kind` takes (every kind when `kind` is
    None or `in_general`), in the shop's terms."""
    if kind == "gift_card" and not in_general:
        return "A refund to a gift card is available right away."
    if kind == "paypal" and not in_general:
        return f"A refund to a PayPal account shows within {paypal_days} business days."
    if kind == "credit_card" and not in_general:
        return (
            f"A refund to a card takes up to {card_days} business days to appear on your "
            "statement, depending on your bank."
        )
    return (
        "A refund to a gift card is available right away; to a card it takes up to "
        f"{card_days} business days, and to a PayPal account up to {paypal_days} business days."
    )


def policy_summary(terms: ShopTerms) -> str:
    """The shop's cancellation, return and refund rules in a few sentences."""
    return (
        "Pending orders can be cancelled (because they are no longer needed or were ordered "
        "by mistake) and refunded in full. Delivered orders can be returned or exchanged "
        "once; refunds go to the original payment method or to a gift card. "
        + refund_timing(None, terms.refund_card_business_days, terms.refund_paypal_business_days)
    )


POLICY_SUMMARY = policy_summary(ShopTerms())  # with the default terms, for tools and tests
_RETURN_NOTE = (
    "You'll receive an email on how to send the items back; the refund is made once they arrive."
)
TURN_FAILED = (
    "I'm sorry, something went wrong on my side. I've passed your message to a colleague, who "
    "will reply here."
)
APPROVED_ACTION_FAILED = (
    "I'm sorry, I couldn't complete the approved request. A colleague will pick it up and "
    "reply here."
)
#: After a no (the shop's rules, an approver): the way on is a person, offered, not imposed.
PERSON_OFFER = "If you'd like, a colleague can look at it with you — just ask for a person."
WITH_A_PERSON = (
    "A colleague from our support team has your case and everything you've told me; they'll "
    "reply here."
)
#: What the transcript shows, to the customer and to staff, where a one-time code was typed.
ONE_TIME_CODE_SHOWN = "[one-time code]"


def refund_note(action: str, terms: ShopTerms | None = None) -> str | None:
    """What happens to the money after `action` ran, when it moves any."""
    if action == "return_items":
        return _RETURN_NOTE
    if action == "cancel_order":
        terms = terms or ShopTerms()
        return refund_timing(
            None, terms.refund_card_business_days, terms.refund_paypal_business_days
        )
    return None


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


# --- other languages --------------------------------------------------------------------
# The offline brain reads English only, so it does not pretend otherwise: it says, in the
# customer's language, that a person will take over, and hands off with the language in
# the record. One sentence per language the detector knows (`brain.language`).

HANDOFF_IN_LANGUAGE: dict[str, str] = {
    "es": (
        "Gracias por su mensaje. Por ahora solo puedo atenderle en inglés, así que una "
        "persona de nuestro equipo continuará la conversación y le responderá en español."
    ),
    "fr": (
        "Merci pour votre message. Pour l'instant, je ne peux vous aider qu'en anglais : "
        "une personne de notre équipe va reprendre la conversation et vous répondre en français."
    ),
    "de": (
        "Danke für Ihre Nachricht. Ich kann Ihnen im Moment nur auf Englisch helfen, daher "
        "übernimmt eine Person aus unserem Team und antwortet Ihnen auf Deutsch."
    ),
    "pt": (
        "Obrigado pela sua mensagem. Por enquanto só consigo ajudar em inglês, por isso uma "
        "pessoa da nossa equipa vai continuar a conversa e responder-lhe em português."
    ),
    "it": (
        "Grazie per il suo messaggio. Al momento posso aiutarla solo in inglese, quindi una "
        "persona del nostro team prenderà in carico la conversazione e le risponderà in italiano."
    ),
    "nl": (
        "Bedankt voor uw bericht. Op dit moment kan ik u alleen in het Engels helpen, daarom "
        "neemt een medewerker van ons team het gesprek over en antwoordt u in het Nederlands."
    ),
    "pl": (
        "Dziękujemy za wiadomość. Na razie mogę pomóc tylko po angielsku, dlatego rozmowę "
        "przejmie osoba z naszego zespołu, która odpowie Państwu po polsku."
    ),
    "sv": (
        "Tack för ditt meddelande. Just nu kan jag bara hjälpa till på engelska, så en person "
        "i vårt team tar över samtalet och svarar dig på svenska."
    ),
    "da": (
        "Tak for din besked. Lige nu kan jeg kun hjælpe på engelsk, så en person fra vores team "
        "overtager samtalen og svarer dig på dansk."
    ),
    "tr": (
        "Mesajınız için teşekkürler. Şu anda yalnızca İngilizce yardımcı olabiliyorum, bu "
        "yüzden ekibimizden bir kişi görüşmeyi devralacak ve size Türkçe yanıt verecek."
    ),
}


def handoff_in_language(language: str) -> str | None:
    """The honest handoff sentence in `language`, or None for English and unknown languages."""
    return HANDOFF_IN_LANGUAGE.get(language)


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
    "issue": "I'm sorry to hear that. What went wrong? A few words are enough.",
    "preferred_resolution": "What would you like us to do to put this right?",
    "request": "I'm sorry, I didn't quite catch that. Could you tell me what you need help with?",
    "need": "How can I help you today?",
    "person_brief": (
        "Of course, I'll hand you over to a colleague from our support team. So they can help "
        "straight away, without you repeating yourself: what is it about, and what would you "
        "like us to do?"
    ),
    "anything_else": "No problem, I won't make any changes. What else can I help you with?",
    "correction": (
        "Sorry, I got that wrong, so I won't make that change. What should be different? "
        "Tell me in a few words and I'll put it right."
    ),
    "item": "Which item of the order is this about?",
    "item_choice": "Which of the order's items do you mean?",
    "clarify": (
        "I want to be sure I help with the right thing: could you tell me in a few words what "
        "you need?"
    ),
    "new_option": (
        "Which version would you like instead? Please name the option, for example the colour "
        "or the size."
    ),
    # No example with numbers: a reply may state only numbers the facts hold.
    "address": (
        "What is the new address? Please give the house number and street, the city, the "
        "state and the zip code."
    ),
    "new_payment": (
        "Which of your payment methods should it be? For a card, please tell me its last four "
        "digits."
    ),
}


def order_question(choices: list[dict[str, Any]]) -> str:
    """Which of the customer's orders it is, each told apart by its status and items."""
    listed = "; ".join(
        f"#{c['id'].lstrip('#')} ({c['status']}: {', '.join(c['items'])})" for c in choices
    )
    return (
        f"Which order is this about? Your orders: {listed}. You can tell me the number, "
        "or which one by what's in it."
    )


_KIND_NAMES = {"credit_card": "credit card", "paypal": "PayPal account", "gift_card": "gift card"}


def methods_on_file(f: dict[str, Any]) -> list[str]:
    """The verified customer's payment methods, as they are named to them."""
    customer = f.get("customer") or {}
    found = []
    for method in customer.get("payment_methods") or ():
        with contextlib.suppress(ValueError):
            found.append(PaymentMethod.model_validate(method).describe())
    return found


def payment_question(question: str, on_file: list[str], missing: str | None) -> str:
    """Which payment method, with the customer's own listed; and, when they named a kind
    they do not have ("PayPal"), that it is not among them."""
    text = ""
    if missing:
        kind = _KIND_NAMES.get(missing, "payment method like that")
        text = f"I can't find a {kind} among your payment methods. "
    return f"{text}{question} Yours: {'; '.join(on_file)}."


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
    intro += two_requests_note(f.get("two_requests") or {})
    reason = request.reasons[0] if request.reasons else None
    step = request.step
    if step == "ask":
        text = _ASK.get(request.ask_for or "request", _ASK["request"])
        items = [i.get("name") for i in ((f.get("order") or {}).get("items") or [])]
        if request.ask_for in ("item", "item_choice") and (asked := item_question(f)):
            text = asked
        elif request.ask_for == "item" and items:
            text += f" It holds: {', '.join(str(i) for i in items if i)}."
        if request.ask_for == "new_option" and (versions := version_question(f)):
            text = versions
        if request.ask_for == "clarify":
            text = clarifying_question(f.get("readings") or []) or text
        if request.ask_for == "order_id" and f.get("order_choices"):
            text = order_question(f["order_choices"])
        if request.ask_for == "new_payment" and (on_file := methods_on_file(f)):
            text = payment_question(text, on_file, f.get("payment_missing"))
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
        if p.get("note") == REFUND_ELSEWHERE:
            text += (
                "A refund can only go back to a payment method on your account, so I can't "
                "send it to another account or card. "
            )
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
        text += " " + PERSON_OFFER
        return Reply(text=text, reason=reason)
    if step == "refuse":
        # Never a dead end: what the shop's rules do not allow, a person can still look at.
        return Reply(
            text=intro
            + f"I'm sorry, I can't do that: {f.get('refusal', reason)}. "
            + PERSON_OFFER,
            reason=reason,
        )
    if step == "escalate":
        in_language = handoff_in_language(str(f.get("language") or "en"))
        if in_language:
            return Reply(text=in_language, reason=reason)
        text = (
            "I'm handing this to a colleague from our support team, together with everything "
            "you've told me, so you won't need to repeat yourself. "
            f"You can expect a reply {f.get('sla', 'soon')}."
        )
        if f.get("knowledge_no_match"):
            text = NO_ARTICLE + text
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


def item_question(facts: dict[str, Any]) -> str | None:
    """The question about the order's items: which of the lines a name fits, with what
    tells them apart; or, when the order holds no product the customer named, which of
    its own items they mean, each with its options and amount."""
    choice = facts.get("item_question")
    if choice:
        if choice.get("same_item"):
            return f"Your order has more than one {choice['what']}: do you mean one or both?"
        return f"Which {choice['what']} do you mean: {choice['choices']}?"
    lines = facts.get("order_lines")
    if not lines:
        return None
    missing = facts.get("items_missing")
    order_id = (facts.get("order") or {}).get("id", "")
    held = f"Order {order_id} holds {lines}." if order_id else f"The order holds {lines}."
    if missing:
        return (
            f"I can't find {_either(missing)} in order {order_id}. {held} Which item do you mean?"
        )
    return f"{held} Which of these items is this about?"


# More versions than this are not listed: the question names the options instead.
MAX_VERSIONS_LISTED = 6


def version_question(facts: dict[str, Any]) -> str | None:
    """Which version of an item the customer wants instead, with the versions in stock
    (after saying so when the one they asked for is sold out)."""
    asked = facts.get("version_question") or {}
    choices = [str(c) for c in asked.get("choices") or () if c]
    what = asked.get("what") or "item"
    sold_out = (
        f"The {what} in {asked['sold_out']} is sold out at the moment. "
        if asked.get("sold_out")
        else ""
    )
    if not choices or len(choices) > MAX_VERSIONS_LISTED:
        if not sold_out:
            return None
        rest = _ASK["new_option"] if choices else f"No other version of the {what} is in stock."
        return sold_out + rest
    return (
        f"{sold_out}Which version of the {what} would you like instead? "
        f"In stock: {'; '.join(choices)}."
    )


def _either(names: list[str]) -> str:
    shown = [f"a {n}" for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _who_reviews(approval_reason: str) -> str:
    """The policy's reason for an approval, worded for the customer: who decides, and why."""
    for who in ("a senior approver", "an approver"):
        if approval_reason.endswith(f"so {who} decides"):
            return approval_reason.removesuffix("decides") + "will review this"
    return f"because {approval_reason}, an approver will review this"


# What a customer can expect next, by the order's status (said after its status).
WHAT_HAPPENS_NEXT = {
    "pending": "It hasn't shipped yet, so it can still be changed or cancelled.",
    "pending (item modified)": "It hasn't shipped yet; its address can still change.",
    "processed": "It is on its way; the tracking number shows where it is.",
    "delivered": "If something isn't right, its items can be returned or exchanged.",
    "return requested": "Once the items reach us, the refund is made.",
    "exchange requested": "Once the items reach us, the new ones are sent.",
}


def _answer(request: ReplyRequest) -> str:
    text = _answer_text(request)
    if request.facts.get("proposal_open") and request.facts.get("proposal"):
        # The question is answered; the offer it was about still waits for a yes or no.
        text += (
            f" My offer to {request.facts['proposal']['summary']} still stands: "
            "would you like me to go ahead, yes or no?"
        )
    return text


def _days(f: dict[str, Any]) -> tuple[int, int]:
    terms = f.get("refund_terms") or {}
    default = ShopTerms()
    return (
        int(terms.get("card_days", default.refund_card_business_days)),
        int(terms.get("paypal_days", default.refund_paypal_business_days)),
    )


def _answer_text(request: ReplyRequest) -> str:
    f = request.facts
    if request.answer == "refund_timing":
        return refund_timing(f.get("method_kind"), *_days(f))
    if request.answer == "proposal_method" and f.get("proposal"):
        method = f["proposal"].get("method")
        text = f"It would be your {method}." if method else "It would be the method you paid with."
        if f.get("method_kind"):
            text += " " + refund_timing(f.get("method_kind"), *_days(f))
        return text
    if request.answer == "order_contents" and "order" in f:
        o = f["order"]
        lines = [_line(i) for i in o.get("items") or ()]
        return (
            f"Order {o['id']} holds: {'; '.join(lines)}."
            if lines
            else (f"Order {o['id']} holds no items.")
        )
    if request.answer == "refund_status" and "order" in f:
        return _refund_status(f["order"], *_days(f))
    if request.answer == "consent" and f.get("consent") is not None:
        return consent_reply(f["consent"], f.get("consent_changed") or {}, f.get("consent_asked"))
    if request.answer == "declined":
        return "No problem, I won't make any changes. Is there anything else I can help with?"
    if request.answer == "acknowledged":
        return "Glad I could help. Is there anything else I can do for you?"
    if request.answer == "no_account":
        return (
            "No problem: you don't need an account to ask about our products, delivery, "
            "returns or payment, so just ask. To look at or change an order, I'd need the "
            "email address it was placed with."
        )
    if request.answer == "knowledge" and f.get("knowledge"):
        return knowledge_reply(f["knowledge"])
    if request.answer == "catalog" and f.get("catalog"):
        return catalog_reply(f["catalog"])
    if request.answer == "policy":
        return str(f.get("policy_text", "A colleague can explain the details of our policy."))
    if request.answer == "order_status" and "order" in f:
        o = f["order"]
        text = f"Your order {o['id']} is {o['status']}."
        if o.get("tracking"):
            text += f" Tracking number: {', '.join(o['tracking'])}."
        elif str(o["status"]) == "processed":
            text += " It has no tracking number yet."
        if o.get("refunds"):
            to = f" to your {o['payment']}" if o.get("payment") else ""
            text += f" Refunds on this order so far: {o['refunds']}{to}."
        items = [_line(i) for i in o.get("items") or () if i.get("name")]
        if items:
            text += f" It holds: {'; '.join(items)}."
            if o.get("total"):
                text += f" Paid in all: {o['total']}."
        if str(o["status"]) in WHAT_HAPPENS_NEXT:
            text += f" {WHAT_HAPPENS_NEXT[str(o['status'])]}"
        return text
    return "Is there anything else I can help with?"


def _line(item: dict[str, Any]) -> str:
    """One order line as a customer reads it: "Desk Lamp (black, LED), $34.50"."""
    options = ", ".join(str(v) for v in (item.get("options") or {}).values())
    shown = f"{item.get('name')} ({options})" if options else str(item.get("name"))
    return f"{shown}, {item['price']}" if item.get("price") else shown


def _refund_status(o: dict[str, Any], card_days: int, paypal_days: int) -> str:
    """Where an order's refund is: each refund made, to which method, and when it shows;
    or that none is made yet, and what happens next."""
    made = o.get("refund_lines") or []
    if not made:
        text = f"No refund has been made on order {o['id']} yet; it is {o['status']}."
        if str(o["status"]) in WHAT_HAPPENS_NEXT:
            text += f" {WHAT_HAPPENS_NEXT[str(o['status'])]}"
        return text
    sent = "; ".join(
        f"{r['amount']} to your {r['method']}" if r.get("method") else str(r["amount"])
        for r in made
    )
    text = f"Order {o['id']} is {o['status']}. We have refunded {sent}."
    kinds = list(dict.fromkeys(str(r.get("kind")) for r in made if r.get("kind")))
    for kind in kinds:
        text += " " + refund_timing(kind, card_days, paypal_days)
    return text


# --- the customer's consent ------------------------------------------------------------------

#: What each consent flag lets the shop do (`domain.consent.CONSENT_FLAGS`, in its order),
#: as the customer is told.
CONSENT_IN_WORDS: dict[str, str] = {
    "personalisation": (
        "personalise our replies with your profile (for example, use your first name)"
    ),
    "marketing": "tell you about offers",
    "past_cases": "show the colleague who takes over a new request your earlier cases with us",
}
HOW_TO_CHANGE_CONSENT = (
    "You can change any of these at any time: just tell me, for example “stop using my data "
    "for marketing” or “you can use my past cases”."
)


def consent_reply(
    consent: dict[str, bool], changed: dict[str, bool], asked: dict[str, bool] | None
) -> str:
    """The customer's consent as it now stands, one line per flag, after what changed (or
    the news that it was already as they asked), and how to change it."""
    head = ""
    if changed:
        done = [
            ("from now on we may " if allowed else "we will no longer ") + CONSENT_IN_WORDS[flag]
            for flag, allowed in changed.items()
            if flag in CONSENT_IN_WORDS
        ]
        head = f"Done: {'; '.join(done)}.\n\n"
    elif asked:
        head = "That is already how your choices are set, so nothing needed changing.\n\n"
    flags = "\n".join(
        f"- {words}: {'yes' if consent.get(flag) else 'no'}"
        for flag, words in CONSENT_IN_WORDS.items()
    )
    return (
        f"{head}What you allow us beyond handling your requests:\n{flags}\n\n"
        + HOW_TO_CHANGE_CONSENT
    )


# --- answers from the shop's help articles ------------------------------------------------

NO_ARTICLE = "I couldn't find the answer to that in our help articles, and I don't want to guess. "
#: How a clarifying question names each reading it offers (`domain.turn.reading_picked` reads
#: an answer in these words).
READING_WORDS = {
    "order_status": "where an order is",
    "cancel_order": "cancelling an order",
    "change_items": "changing an item before it ships",
    "change_address": "the delivery address of an order",
    "change_payment": "how an order is paid",
    "return": "a return",
    "exchange": "an exchange",
    "refund_status": "a refund",
    "account_address": "the address on your account",
    "order_contents": "what an order holds",
}


def two_requests_note(both: dict[str, Any]) -> str:
    """What the customer is told when one message made two requests: the order they are
    taken in ("first the return, then the delivery address"); empty when it did not."""
    question = "your question"
    names = {**READING_WORDS, "policy_question": question, "product_question": question}
    first, then = names.get(str(both.get("first"))), names.get(str(both.get("then")))
    if not first or not then:
        return ""
    return (
        f"You asked for two things, so I'll take them one after the other: first {first}, "
        f"then {then}. "
    )


def clarifying_question(readings: list[str]) -> str | None:
    """One question naming the likeliest readings: "Is this about a return or an exchange?"."""
    named = [READING_WORDS[r] for r in readings if r in READING_WORDS][:2]
    if not named:
        return None
    return f"Just to be sure I help with the right thing: is this about {' or '.join(named)}?"


def _version(offer: dict[str, Any]) -> str:
    options = ", ".join(str(v) for v in (offer.get("options") or {}).values())
    stock = "in stock" if offer.get("available") else "sold out"
    return f"{options}: {format_money(Decimal(str(offer['price'])))}, {stock}".lstrip(": ")


def catalog_reply(found: dict[str, Any]) -> str:
    """A stock, version or price question answered from the catalog."""
    product = found["product"]
    asked = ", ".join(str(v) for v in (found.get("asked") or {}).values())
    matching = list(found.get("matching") or ())
    if matching and asked:
        in_stock = [o for o in matching if o.get("available")]
        text = (
            f"Yes, we sell the {product} in {asked}"
            if in_stock
            else f"We sell the {product} in {asked}, but it is sold out at the moment"
        )
        text += ": " + "; ".join(_version(o) for o in matching) + "."
    elif matching:
        text = f"We sell the {product} in these versions: "
        text += "; ".join(_version(o) for o in matching) + "."
    else:
        text = f"We don't sell the {product} in {asked}. It comes in: "
        text += "; ".join(_version(o) for o in found.get("instead") or ()) + "."
    if found.get("partial"):
        text += (
            "\n\nIf that doesn't fully answer your question, a colleague from our support "
            "team can help: just say you'd like a person."
        )
    return text


def knowledge_reply(found: dict[str, Any]) -> str:
    """A question answered from a help article, its title cited.

    Where the category's answers are not cleared by the accuracy gate, the article is
    shared as partial help and a person is offered: the agent never claims certainty.
    """
    citation = found["citation"]
    if found.get("partial"):
        return (
            f"Our help article “{citation}” says: {found['text']}\n\n"
            "If that doesn't fully answer your question, a colleague from our support team can "
            "help: just say you'd like a person."
        )
    return f"{found['text']}\n\n(From our help article “{citation}”.)"
