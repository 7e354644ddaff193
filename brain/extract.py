"""What a customer message states, read with rules: pure functions, no I/O.

Order ids, emails, names, zip codes, items and options matched against the
customer's own order lines, payment methods, cancellation reasons, yes/no, and the
wish to talk to a person. Each reader is small and table-tested
(`tests/unit/test_extract.py`); `extract` runs them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.items import settled_lines
from domain.matching import parse_address
from domain.retail import NO_LONGER_NEEDED, ORDERED_BY_MISTAKE

# --- order ids --------------------------------------------------------------------------

_ORDER_ID = re.compile(
    # #W1234567, W1234567, #w 1234567, W-1234567
    r"(?<![\w#])#?\s?[wW]\s?-?(\d{7})\b"
    # order 1234567, order no. 1234567, order number is 1234567
    r"|\border\s*(?:id|no\.?|number|num|#)?\s*(?:is)?\s*[:#]?\s*#?(\d{7})\b",
    re.IGNORECASE,
)


def find_order_ids(text: str) -> list[str]:
    """Every order id mentioned, as `#W` and seven digits, in order of mention, once each."""
    found: list[str] = []
    for match in _ORDER_ID.finditer(text):
        order_id = "#W" + (match.group(1) or match.group(2))
        if order_id not in found:
            found.append(order_id)
    return found


# --- emails -----------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def find_emails(text: str) -> list[str]:
    """Email addresses, lower-cased, trailing punctuation left out."""
    return [e.lower().rstrip(".") for e in _EMAIL.findall(text)]


# --- names ------------------------------------------------------------------------------

_NAME_WORD = r"[A-Za-z][a-z'’-]+|[A-Z][A-Za-z'’-]+"
_STRONG_NAME = re.compile(
    r"\b(?:my name is|my name's|name is|name's|name:|full name is)"
    rf"\s+({_NAME_WORD})\s+({_NAME_WORD})",
    re.IGNORECASE,
)
_WEAK_NAME = re.compile(rf"\b(?:i am|i'm|i’m|im)\s+({_NAME_WORD})\s+({_NAME_WORD})", re.IGNORECASE)
_INTRO_NAME = re.compile(r"\b(?:[Tt]his is|[Ii]t's|[Ii]t is)\s+([A-Z][a-z'’-]+)\s+([A-Z][a-z'’-]+)")
_HERE_NAME = re.compile(r"\b([A-Z][a-z'’-]+)\s+([A-Z][a-z'’-]+)\s+here\b")
# The literal answer to "your full name and zip code": the whole message is a name of two
# or three words and a zip, in either order ("Ada Lovelace, 10001", "10001 ada lovelace").
_ZIP_WORDS = (
    r"(?:(?:zip|zip code|zipcode|postal code|postcode)\s*(?:is|:|-)?\s*|(?:from|in)\s+)?"
    r"\d{5}(?:-\d{4})?"
)
_BARE_WORD = rf"(?!(?:and|my|zip|name|is|code|im|i'm|from|in)\b)(?:{_NAME_WORD})"
# "It's", "this is", "I'm" before the name: still the literal answer.
_SELF = r"(?:(?:it'?s|it’s|it is|this is|i'?m|i’m|i am|sure|yes|yeah|ok|okay)[\s,:-]+)?"
_TITLE = r"(?:(?:mr|mrs|ms|miss|mx|dr)\.?\s+)?"
_BARE_NAME_ZIP = re.compile(
    rf"^\s*{_SELF}(?:{_ZIP_WORDS}[\s,;.()/|-]+)?"
    rf"(?:(?:my\s+)?(?:full\s+)?name(?:'s|\s*(?:is|:))?\s+)?{_TITLE}"
    rf"({_BARE_WORD})(?:\s+{_BARE_WORD})?\s+({_BARE_WORD})"
    rf"(?:[\s,;.()/|-]+(?:and\s+)?(?:my\s+)?{_ZIP_WORDS})?[\s.!)]*$",
    re.IGNORECASE,
)

# Words that follow "I'm" far more often than a name does.
_NOT_NAMES = frozenset(
    """
    a an the and or but so not no yes very really so just still also already only quite trying
    looking writing asking wondering hoping going waiting calling contacting reaching sorry
    sure happy unhappy glad fine ok okay good great annoyed angry upset disappointed frustrated
    confused done finished here there back home away out in on at about over from with for to
    of by your you my me our this that it its is was were be been being having getting feeling
    still never always afraid interested unable able moving travelling traveling customer new
    old sick tired fed ready gonna wanna gotta want need cancel return change buy get make see
    ask tell trying ordering order email zip code number account card please thanks thank hi
    hello hey under
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


# "Lovelace, Ada 10001": the surname first, set apart by its comma.
_SURNAME_FIRST = re.compile(
    rf"^\s*{_TITLE}({_BARE_WORD}),\s*({_BARE_WORD})(?:\s+{_BARE_WORD})?"
    rf"[\s,;.()/|-]+(?:and\s+)?(?:my\s+)?{_ZIP_WORDS}[\s.!)]*$",
    re.IGNORECASE,
)


# "Ben Okafor from San Francisco, zip 94110", "diego alvarez, austin tx 78701": the name,
# then where they live, then the zip.
_NAME_PLACE_ZIP = re.compile(
    rf"^\s*{_SELF}{_TITLE}({_BARE_WORD})\s+({_BARE_WORD})\s*(?:,|\s(?:from|in)\b)"
    rf"[A-Za-z .,'-]{{0,40}}?[\s,]{_ZIP_WORDS}[\s.!)]*$",
    re.IGNORECASE,
)


def find_name(text: str) -> tuple[str, str] | None:
    """A first and last name the customer gives for themselves, title-cased."""
    for pattern in (_SURNAME_FIRST, _NAME_PLACE_ZIP):
        if not (found := pattern.match(text)):
            continue
        first, last = found.group(1), found.group(2)
        if pattern is _SURNAME_FIRST:
            first, last = last, first
        if first.lower() not in _NOT_NAMES and last.lower() not in _NOT_NAMES:
            return _title(first), _title(last)
    if surname_first := _SURNAME_FIRST.match(text):
        last, first = surname_first.group(1), surname_first.group(2)
        if first.lower() not in _NOT_NAMES and last.lower() not in _NOT_NAMES:
            return _title(first), _title(last)
    bare = _BARE_NAME_ZIP.match(text)
    if bare and re.search(r"\d{5}", text):
        first, last = bare.group(1), bare.group(2)
        if first.lower() not in _NOT_NAMES and last.lower() not in _NOT_NAMES:
            return _title(first), _title(last)
    for pattern in (_STRONG_NAME, _WEAK_NAME, _INTRO_NAME, _HERE_NAME):
        for match in pattern.finditer(text):
            first, last = match.group(1), match.group(2)
            if first.lower() in _NOT_NAMES or last.lower() in _NOT_NAMES:
                continue
            if pattern is _WEAK_NAME:
                capitalised = first[0].isupper() and last[0].isupper()
                plain_words = not any(
                    w.lower().endswith(("ing", "ed", "ly")) for w in (first, last)
                )
                if not (capitalised or (text.islower() and plain_words)):
                    continue
            return _title(first), _title(last)
    return None


def _title(word: str) -> str:
    return word[:1].upper() + word[1:].lower() if word.islower() or word.isupper() else word


# --- zip codes --------------------------------------------------------------------------

_ZIP_LABELLED = re.compile(
    r"\b(?:zip|zip code|zipcode|postal code|postcode)\s*(?:is|:|-)?\s*(\d{5})\b", re.IGNORECASE
)
_ZIP_BARE = re.compile(
    r"(?<![\d#$€£.,\w-])(\d{5})(?![\d.,]\d|\w|\s*(?:dollars|usd|eur|euros|bucks|pounds))",
    re.IGNORECASE,
)


# A zip that ends a street address ("77 Burnside Street, Portland, OR 97209") belongs to
# the address a customer wants something sent to, not to who they are.
_ADDRESS_ZIP = re.compile(
    r"\b\d+[a-z]?\s+[A-Za-z][\w.'-]*(?:\s+[\w.'-]+){0,3}?\s+(?:street|st|avenue|ave|road|rd|"
    r"boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|terrace|parkway|pkwy|highway|hwy)"
    r"\b[^\d]{0,60}?\b\d{5}(?:-\d{4})?\b",
    re.IGNORECASE,
)


def find_zip(text: str) -> str | None:
    """A five-digit zip code: a labelled one first, else the last bare five-digit number
    that is not part of an order id, an amount, a longer number or a postal address."""
    if labelled := _ZIP_LABELLED.search(text):
        return labelled.group(1)
    without_ids = _ADDRESS_ZIP.sub(" ", _ORDER_ID.sub(" ", text))
    if (address := parse_address(without_ids)) is not None:
        # a street with no kind after its name ("245 Prospect Park West, …, NY 11215"):
        # the zip that ends it is the address's too
        without_ids = re.sub(rf"\b{address.zip}\b(?!.*\b{address.zip}\b)", " ", without_ids)
    bare = _ZIP_BARE.findall(without_ids)
    return bare[-1] if bare else None


# --- items and options --------------------------------------------------------------------

# Generic product words, for naming what a customer talks about when no order is known.
PRODUCT_WORDS = (
    "laptop",
    "office chair",
    "chair",
    "t-shirt",
    "tshirt",
    "running shoes",
    "shoes",
    "water bottle",
    "desk lamp",
    "lamp",
    "headphones",
    "earbuds",
    "coffee mug",
    "mug",
    "backpack",
    "jacket",
    "road bike",
    "bike",
    "tablet",
    "phone case",
    "keyboard",
    "coffee maker",
    "blender",
    "boots",
    "sunglasses",
    "smart watch",
    "watch",
    "speaker",
    "jeans",
    "dress",
    "tent",
    "skateboard",
    "vacuum cleaner",
    "e-reader",
    "camera",
    "mouse",
    "clock",
    "bookshelf",
    "hoodie",
    "sneakers",
    "monitor",
    "air fryer",
    "yoga mat",
    "suitcase",
    "rug",
    "stroller",
    "drone",
    "duvet",
    "pet bed",
)


@dataclass(frozen=True)
class OrderLine:
    """One line of the customer's order, as far as matching needs it."""

    item_id: str
    name: str
    options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_fact(cls, fact: Mapping[str, Any]) -> OrderLine:
        return cls(
            item_id=str(fact.get("item_id", "")),
            name=str(fact.get("name", "")),
            options={str(k): str(v) for k, v in (fact.get("options") or {}).items()},
        )


@dataclass(frozen=True)
class ItemMatch:
    item_ids: tuple[str, ...]
    names: tuple[str, ...]
    options: dict[str, str]  # option values the customer mentions (e.g. {"size": "L"})


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?:s|es)?(?![a-z0-9])", text) is not None


def match_items(text: str, lines: Sequence[OrderLine]) -> ItemMatch:
    """The order lines a message refers to, by item id, product name and option values.

    The lines are `domain.items.settled_lines`': a name that fits several lines settles
    none of them (the turn asks which, through `domain.items.resolve_items`). Option
    values the message names for the lines' options are reported, so "the blue one in L"
    can become a variant later.
    """
    lowered = text.lower()
    chosen = settled_lines(text, lines)
    options: dict[str, str] = {}
    known: dict[str, set[str]] = {}
    for line in lines:
        for key, value in line.options.items():
            known.setdefault(key, set()).add(value.lower())
    for key, values in known.items():
        for value in _option_values_in(lowered, key, values):
            options.setdefault(key, value)
    return ItemMatch(
        item_ids=tuple(dict.fromkeys(line.item_id for line in chosen)),
        names=tuple(dict.fromkeys(line.name for line in chosen)),
        options=options,
    )


_COLOURS = (
    "black",
    "white",
    "red",
    "blue",
    "green",
    "grey",
    "gray",
    "navy",
    "pink",
    "brown",
    "silver",
    "purple",
    "yellow",
    "orange",
    "beige",
    "gold",
)


def _option_values_in(text: str, key: str, known: set[str]) -> list[str]:
    """Values of option `key` the text names: colours, sizes, or "<key> <value>" and
    "<value> <key>" where the value is one the shop uses or has a digit in it."""
    key = key.lower()
    if key in ("color", "colour"):
        return [c for c in _COLOURS if _mentions(text, c)]
    if key == "size":
        match = re.search(
            r"\bsize\s*:?\s*(?!(?:up|down|bigger|larger|smaller)\b)([a-z0-9.]+)\b", text
        ) or re.search(
            r"(?<!['’])\b(xxs|xs|s|m|l|xl|xxl|small|medium|large)\b"
            r"(?=\s*(size|instead|please|$|[.,!?]))",
            text,
        )
        return (
            [match.group(1).upper() if len(match.group(1)) <= 3 else match.group(1)]
            if match
            else []
        )
    k = re.escape(key)
    candidates = re.findall(rf"\b{k}\s*:?\s*([a-z0-9.-]+)\b", text)
    candidates += re.findall(rf"\b([a-z0-9.-]+)\s+{k}\b", text)
    return [c for c in candidates if c in known or any(ch.isdigit() for ch in c)][:1]


def find_product_words(text: str) -> list[str]:
    """Generic product words in the message (longest first, no overlaps)."""
    lowered = text.lower()
    found: list[str] = []
    for word in sorted(PRODUCT_WORDS, key=len, reverse=True):
        if _mentions(lowered, word) and not any(word in f for f in found):
            found.append(word)
    return found


# --- payment ----------------------------------------------------------------------------

_GIFT_CARD = re.compile(r"\bgift\s?-?cards?\b|\bstore credit\b|\bgiftcard\b", re.IGNORECASE)
_PAYPAL = re.compile(r"\bpay\s?pal\b", re.IGNORECASE)
_CARD = re.compile(
    r"\b(credit|debit)\s?cards?\b|\bcards?\b"
    r"|\b(visa|master\s?card|amex|american express|discover)\b",
    re.IGNORECASE,
)
# A method named right after these words is the one being replaced, not the one wanted.
_REPLACED = re.compile(
    r"\b(instead of|rather than|not|from|than|off)( (my|the|a|your))?\s*$", re.IGNORECASE
)
# A method named right after these words is where the customer wants the payment or the
# money to go ("off my gift card and onto PayPal").
_DESTINATION = re.compile(
    r"\b(onto|on to|over to|to|via|using)( (my|the|a|your))?\s*$", re.IGNORECASE
)
_LAST_FOUR = re.compile(
    r"\b(?:ending|ends|ending in|last four|last 4)\s*(?:in|with|:)?\s*(\d{4})\b", re.IGNORECASE
)


def find_payment(text: str) -> str | None:
    """The payment method the message names: `credit_card`, `paypal` or `gift_card`.

    When several are named, the one named as where it should go wins ("off my gift card
    and onto PayPal"), else the one mentioned last ("from my card to my gift card")."""
    hits: list[tuple[int, str]] = []
    for pattern, kind in ((_GIFT_CARD, "gift_card"), (_PAYPAL, "paypal"), (_CARD, "credit_card")):
        for match in pattern.finditer(text):
            hits.append((match.start(), kind))
    gift_spans = [m.span() for m in _GIFT_CARD.finditer(text)]
    hits = [
        (start, kind)
        for start, kind in hits
        if kind != "credit_card" or not any(a <= start < b for a, b in gift_spans)
    ]
    if not hits:
        return None
    wanted = [
        (start, kind)
        for start, kind in hits
        if not _REPLACED.search(text[max(0, start - 24) : start])
    ]
    destined = {
        kind for start, kind in wanted if _DESTINATION.search(text[max(0, start - 24) : start])
    }
    if len(destined) == 1:  # "…onto PayPal? I'd like to save the gift card balance"
        return destined.pop()
    return max(wanted or hits)[1]


# Four digits right after a card's brand or behind a mask: "amex 0005", "visa-4242",
# "**** 1234", "xx1234"; never the first digits of a whole card number.
_BRAND_FOUR = re.compile(
    r"(?:\b(?:visa|master\s?card|amex|american express|discover)\s*[-:#]?\s*"
    r"|(?:\*{2,}|\bx{2,}|\.{3}|…)\s*)(\d{4})\b(?![\s-]*\d)",  # not a whole card number
    re.IGNORECASE,
)


def find_card_last_four(text: str) -> str | None:
    match = _LAST_FOUR.search(text) or _BRAND_FOUR.search(text)
    return match.group(1) if match else None


# --- cancellation reasons -----------------------------------------------------------------

_MISTAKE = re.compile(
    r"\b(by mistake|mistaken(ly)?|by accident|accident(al(ly)?)?|in error|"
    r"wrong (item|thing|product|size|one)|didn'?t mean to|did not mean to|"
    r"meant to (order|buy|get)|ordered (it )?twice|double[- ]?order(ed)?|duplicate|"
    r"clicked (the )?(wrong|twice|buy twice)|it was a mistake|made a mistake)\b",
    re.IGNORECASE,
)
_NOT_NEEDED = re.compile(
    r"\b(no longer (need|needed|want|wanted|required|necessary)|"
    r"(don'?t|do not|won'?t|will not) (need|want) (it|this|that|them|the order|the item)"
    r"( any ?more| any longer| after all)?\b(?! to)|"
    r"(won'?t|will not) be needing|not needed|not necessary|changed my mind|change of heart|"
    r"decided against|"
    r"(bought|got|found) (it|one|them) (elsewhere|somewhere else|cheaper)|"
    r"found (it |a )?(cheaper|better deal)|no use for)\b",
    re.IGNORECASE,
)


def find_cancel_reason(text: str) -> str | None:
    """One of the two reasons a pending order may be cancelled for, when the message gives one."""
    if _MISTAKE.search(text):
        return ORDERED_BY_MISTAKE
    if _NOT_NEEDED.search(text):
        return NO_LONGER_NEEDED
    return None


# --- yes and no ---------------------------------------------------------------------------

_STRONG_YES = re.compile(
    r"^\W*(yes|yeah|yep|yup|ya|yea|y|confirm(ed)?|i confirm|go ahead|go for it|please do|do it|"
    r"proceed|please proceed|absolutely|definitely|of course|affirmative|agreed|correct|"
    r"that'?s (right|correct))\b",
    re.IGNORECASE,
)
_WEAK_YES = re.compile(
    r"^\W*(sure|ok|okay|k|fine|alright|all right|sounds good|perfect|great)\b", re.IGNORECASE
)
_YES_ANYWHERE = re.compile(
    r"\b(go ahead|please proceed|please do( it)?|yes,? please|i confirm|confirm it|do it|"
    r"sounds good|that'?s fine|let'?s do it)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\W*(no(?!\s+(longer|problem|worries|rush|need))|nope|nah|n|don'?t|do not|"
    r"never ?mind|nevermind|cancel that|stop|wait|hold on|hang on|"
    r"not (now|yet|really)|negative|i changed my mind|actually,? no|no thanks|no thank you)\b",
    re.IGNORECASE,
)
_NO_ANYWHERE = re.compile(
    r"\b(don'?t (do|go ahead|proceed)|do not (do|proceed)|i'?ll keep it|keep (it|the order)|"
    r"leave it|forget it|changed my mind)\b",
    re.IGNORECASE,
)
_RETRACTED = re.compile(r"\b(but|actually)\b[^.?!]*\b(no|not|don'?t|wait|hold on)\b", re.IGNORECASE)
_NOT_A_NO = re.compile(r"^\W*no (problem|worries|rush)\b[\s,.!]*", re.IGNORECASE)


def find_affirmation(text: str) -> bool | None:
    """True for a yes, False for a no, None when the message is neither or both.

    A hedged word ("ok", "sure") counts only in a short message without a question;
    a long message counts only when it starts with a clear yes or no.
    """
    text = _NOT_A_NO.sub("", text)
    if not text.strip():
        return None
    words = len(text.split())
    yes = bool(_STRONG_YES.search(text)) or (
        words <= 6 and "?" not in text and bool(_WEAK_YES.search(text))
    )
    no = bool(_NO.search(text))
    if not yes and not no and words <= 10:
        yes = bool(_YES_ANYWHERE.search(text))
        no = bool(_NO_ANYWHERE.search(text))
    if yes and (no or _RETRACTED.search(text)):
        return None
    if yes:
        return True
    if no:
        return False
    return None


# --- asking for a person ------------------------------------------------------------------

_HUMAN = re.compile(
    r"\b(human( being)?s?|real person|actual person|living person|a person|some ?(one|body) real|"
    r"real (one|agent|human|support)|live (agent|person|chat|operator)|"
    r"(customer )?(service|support) (rep|representative|agent)|"
    r"representative|rep\b|operator|supervisor|manager|member of (staff|your team)|staff member|"
    r"someone from (your|the) (team|company|staff|support)|"
    r"talk to (an )?agent|speak to (an )?agent|"
    r"an agent|^\W*(agent|human|operator|representative|person)\b)",
    re.IGNORECASE,
)
_HUMAN_NEGATED = re.compile(
    r"\b(no need (for|to talk to)|don'?t need|do not need|not|never) "
    r"(a |an |to (talk|speak) to (a |an )?)?"
    r"(human|person|agent|representative|manager)",
    re.IGNORECASE,
)


def wants_person(text: str) -> bool:
    """Whether the customer asks for a person rather than the assistant."""
    return bool(_HUMAN.search(text)) and not _HUMAN_NEGATED.search(text)


# --- everything at once ----------------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    order_ids: list[str]
    emails: list[str]
    name: tuple[str, str] | None
    zip: str | None
    items: ItemMatch
    product_words: list[str]
    payment: str | None
    card_last_four: str | None
    cancel_reason: str | None
    affirm: bool | None
    wants_person: bool


def extract(text: str, lines: Iterable[OrderLine] = ()) -> Extraction:
    """Every reader above over one message."""
    lines = list(lines)
    without_emails = _EMAIL.sub(" ", text)
    return Extraction(
        order_ids=find_order_ids(without_emails),
        emails=find_emails(text),
        name=find_name(without_emails),
        zip=find_zip(without_emails),
        items=match_items(without_emails, lines),
        product_words=find_product_words(without_emails),
        payment=find_payment(without_emails),
        card_last_four=find_card_last_four(without_emails),
        cancel_reason=find_cancel_reason(without_emails),
        affirm=find_affirmation(without_emails),
        wants_person=wants_person(without_emails),
    )
