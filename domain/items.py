"""Which lines of an order the customer means, and what a proposal about them says.

Money moves only for exactly the items the customer named, so the items are read
one by one against the order's own lines and the answer is a closed, typed set:

- `Resolved(lines)`: exactly the lines named, each named item on its own line; one
  of several lines of the same product told apart by its options ("the black one",
  "the 20 hours one", "the one not resistant to water", "the large", "the cheaper
  one"); duplicates only when asked for ("both", "the two tees", "all of them").
- `Ambiguous(candidates, what, resolved)`: a name fits several lines and nothing
  tells them apart; `resolved` holds the lines already settled.
- `Missing(names, resolved)`: a product the customer named is not on the order.
- `NothingNamed()`: no item was named at all.

Anything the customer did not name is never added: a line enters a resolution only
through a mention of its product, its ten-digit item id, "everything" (minus what
they exclude: "everything except the coffee machine"), or an id they picked.

Product words are read the way customers write them: the product's own name or its
tail ("the speaker" for a Bluetooth Speaker), plurals and stems ("earbud", "tshirts",
"t-shirt"), usual words for the product ("earbuds" and "airpods" for headphones,
"hoover" for a vacuum cleaner, "tee" for a T-Shirt: `domain.product_words`), and one-letter
typos ("vaccum", "purifer") through rapidfuzz. A word that is another line's own
name is that line's ("shoes" are the Running Shoes, not the Sneakers).

How the dialogue uses this module, in order:

1. On a request about items (return, exchange, item change), call
   ``resolve_items(order, text, named, item_ids, action=kind)`` with `kind` the
   command being prepared ("return_items", "exchange_items", "modify_items": items
   named under another request's verb are left to it), `text` the customer's
   request so far (the first request and any later messages about the items, not
   the identity answers), `named` the brain's product words (``item_names``) and
   `item_ids` the ids the customer picked in answer to an earlier question (start
   with ``[]``; ids the customer wrote in `text` are read from it). Never pass the
   brain's matched ``item_ids`` here: a picked id settles its name's question, and the
   offline brain's ids come from `domain.matching.lines_named`, which keeps every line
   a name fits (`settled_lines` is the reading a brain should switch to once the
   dialogue asks through `Ambiguous`).
2. ``Resolved(lines)``: plan with ``[line.item_id for line in lines]`` (a duplicate
   id stands for a second identical line).
3. ``Ambiguous(candidates, what, resolved)``: ask "Which {what} do you mean:
   {describe_choices(candidates)}?" (or, when ``same_item``, "One or both?"), and
   keep `candidates`. On the next message call ``choose_among(candidates, answer)``:
   a ``Resolved`` adds its item ids to `item_ids`; then call `resolve_items` again
   with the same `text` (each picked id settles its group; several ambiguous names
   are asked one at a time). Anything else: ask again once, then hand off.
4. ``Missing(names, resolved)``: tell the customer the order holds no {names} and
   ask which of its items they mean (``describe_lines(order.lines)``); never fall
   back to the whole order.
5. ``NothingNamed()``: a single-line order may take its only line; otherwise ask
   which item, listing ``describe_lines(order.lines)``.
6. Once planned, ``proposal_of(order, change, methods, catalogue)`` lists every item
   with its options and amount, the refund or charge method and the total; word the
   proposal with ``describe_proposal(proposal)`` so the customer's yes confirms
   exactly what will happen.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, TypeVar

from rapidfuzz.distance import OSA

from domain.money import ZERO, format_money
from domain.product_words import (
    KEPT_ONE,
    OPTION_TYPOS,
    PRODUCT_WORDS,
    TOKEN,
    alias_keys,
    key_of,
    own_keys,
    stem,
)
from domain.retail import Order, OrderChange, OrderLine, PaymentMethod, Variant

# --- resolutions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """Exactly the lines the customer named, in the order's own order."""

    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class Ambiguous:
    """`what` fits every one of `candidates` and nothing said tells them apart."""

    candidates: tuple[OrderLine, ...]
    what: str
    resolved: tuple[OrderLine, ...] = ()

    @property
    def same_item(self) -> bool:
        """The candidates are one item bought more than once: the question is how many."""
        return len({line.item_id for line in self.candidates}) == 1


@dataclass(frozen=True)
class Missing:
    """The customer named products (or item ids) that are not on the order."""

    names: tuple[str, ...]
    resolved: tuple[OrderLine, ...] = ()


@dataclass(frozen=True)
class NothingNamed:
    """No item was named: the dialogue asks which (or takes a single-line order's line)."""


ItemResolution = Resolved | Ambiguous | Missing | NothingNamed


class Line(Protocol):
    """What reading a line needs: the store's order lines and the brain's both have it.

    A line with a `price` can also be told apart as "the cheaper one"."""

    @property
    def item_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def options(self) -> Mapping[str, str]: ...


LineT = TypeVar("LineT", bound=Line)


def _price(line: Line) -> Decimal | None:
    price = getattr(line, "price", None)
    return price if isinstance(price, Decimal) else None


_ITEM_ID = re.compile(r"(?<!\d)(\d{10})(?!\d)")

# --- reading the text --------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    surface: str
    stem: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(m.group(), stem(m.group()), m.start(), m.end()) for m in TOKEN.finditer(text.lower())
    ]


def _fix_typos(
    tokens: list[_Token], vocabulary: Collection[str], products: Collection[str]
) -> list[_Token]:
    """Tokens one edit away from a word of the vocabulary become that word ("vaccum").

    Only words typed with five letters or more whose first two letters are right: typos
    there are rare, and "settle" must never become the kettle. Stems are compared, so
    a short stem ("ketl" of "ketle") still finds its word ("kettl"); a four-letter word
    is one only when it names a product, never an option ("goods" is not gold).
    """
    fixed = []
    for token in tokens:
        spelt = token.stem
        if token.surface in OPTION_TYPOS and spelt not in vocabulary:
            spelt = stem(OPTION_TYPOS[token.surface])
        elif spelt not in vocabulary and len(token.surface) >= 5 and not spelt.isdigit():
            near = [
                word
                for word in vocabulary
                if (len(word) >= 5 or (len(word) == 4 and word in products))
                and word[:2] == spelt[:2]
                and OSA.distance(word, spelt) <= 1
            ]
            if len(near) == 1:
                spelt = near[0]
        fixed.append(_Token(token.surface, spelt, token.start, token.end))
    return fixed


@dataclass(frozen=True)
class _Mention:
    first: int  # token indexes, end exclusive
    last: int
    key: str
    surface: str


def _mentions(tokens: Sequence[_Token], keys: Collection[str]) -> list[_Mention]:
    """Where the text uses one of `keys`, longest first, never overlapping."""
    found: list[_Mention] = []
    taken: set[int] = set()
    for size in (4, 3, 2, 1):
        for i in range(len(tokens) - size + 1):
            span = range(i, i + size)
            if taken.intersection(span):
                continue
            key = "".join(t.stem for t in tokens[i : i + size])
            if key in keys:
                surface = " ".join(t.surface for t in tokens[i : i + size])
                found.append(_Mention(i, i + size, key, surface))
                taken.update(span)
    return sorted(found, key=lambda m: m.first)


_CONJUNCTIONS = frozenset({"and", "plus", "also", "&", "as", "then", "or"})
_SENTENCE_END = re.compile(r"[.;!?\n]")
_EXCEPT_PHRASES = ("other than", "apart from", "aside from", "but not", "not including")
_NEGATION = frozenset({"not", "no", "never", "without", "non"})
_EVERYTHING = re.compile(
    r"\b(?:everything|every (?:single )?item"
    r"|all (?:of )?(?:the |my )?(?:items|things|stuff|products)"
    r"|all of (?:it|them)|(?:the |my )?(?:whole|entire|full) order|all (?:the )?\w+ items)\b"
)
# Words that make "everything" the object of the request: "return everything",
# "a refund for the whole order", "send it all of it back". Elsewhere ("it'll clash
# with everything in the study") "everything" names no item of the order.
# fmt: off
_EVERYTHING_VERBS = frozenset(stem(w) for w in (
    "return", "returning", "send", "sending", "back", "cancel", "cancelling", "canceling",
    "stop", "exchange", "swap", "refund", "change", "replace", "want", "need", "like", "get",
    "take", "ship",
))
# fmt: on
# An answer this short that says "everything" answers a question about the items.
_SHORT_ANSWER = 6


def _asks_for_everything(text: str) -> bool:
    """Whether the customer asks for every item of the order: a whole-order phrase
    governed by a request verb in its clause, or said as a short answer."""
    lower = text.lower()
    for found in _EVERYTHING.finditer(lower):
        clause = re.split(
            r"[,;:()]|\b(?:and|but|because|since|so)\b",
            _SENTENCE_END.split(lower[: found.start()])[-1],
        )[-1]
        before = [stem(w) for w in TOKEN.findall(clause)][-5:]
        after = TOKEN.findall(lower[found.end() :])[:2]
        if set(before) & _EVERYTHING_VERBS or "back" in after:
            return True
        if len(TOKEN.findall(lower)) <= _SHORT_ANSWER:
            return True
    return False


_ALL_WORDS = frozenset({"both", "all", "every", "each", "two", "2", "three", "3", "four", "4"})
_COUNTS = {"two": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4, "both": 2}


def _excluded(
    text: str, tokens: Sequence[_Token], mention: _Mention, option_words: Collection[str]
) -> bool:
    """Whether the customer names the item only to leave it out ("except the mug",
    "I'll keep the boots", "not the speaker", "everything but the lamp")."""
    start = tokens[mention.first].start
    sentence = _SENTENCE_END.split(text[:start].lower())[-1]
    words = TOKEN.findall(sentence)
    if any(w in ("except", "excluding", "minus") for w in words):
        return True
    # "I'll keep the boots and the lamp"; but not "I'm keeping it, but the flask …".
    kept_clause = re.split(r"[,]|\bbut\b", sentence)[-1]
    if any(w in ("keep", "keeping") for w in TOKEN.findall(kept_clause)):
        return True
    if any(p in sentence for p in _EXCEPT_PHRASES) or _ALL_BUT.search(sentence):
        return True
    clause = re.split(r"[,]|\b(?:and|but|instead)\b", sentence)[-1]
    near = TOKEN.findall(clause)[-6:]
    negation = [n for n, w in enumerate(near) if w in _NEGATION or w.endswith(("n't", "n’t"))]
    # "not the speaker", "don't want to return the speaker"; but "the non-waterproof
    # speaker" negates what the speaker is, not the speaker.
    between = near[negation[-1] + 1 :] if negation else []
    if negation and all(stem(w) in _LINKING and stem(w) not in option_words for w in between):
        return True
    end = tokens[mention.last - 1].end
    # "the lamp and the bottle are fine": a list of items shares what is said after it.
    rest = _LISTED_AFTER.sub("", text[end:].lower(), count=1)
    after = re.split(r"[,.;!?]|\b(?:and|but)\b", rest)[0]
    words = TOKEN.findall(after)[:5]
    negated = any(w in _NEGATION or w.endswith(("n't", "n’t")) for w in words)
    return (bool(set(words) & _KEPT) or bool(_KEPT_BY_THEM.match(after))) and not negated


# The rest of a list after an item ("… and the bottle", ", the mug and the lamp"), up to
# what is said of all of them ("are fine").
_LISTED_AFTER = re.compile(
    r"^(?:\s*,\s*(?:the |my |a |an )?[a-z-]+(?: [a-z-]+)?)*"
    r"\s*(?:,\s*)?(?:and|&)\s*(?:the |my |a |an )?[a-z-]+(?: [a-z-]+)?"
    r"(?=\s+(?:are|were|both|can stay|stay|i'?m keeping|i am keeping|i'?ll keep|i will keep)\b)"
)
# Words that may stand between a negation and the item it leaves out.
_LINKING_WORDS = (
    "the a an my this that these those any want need wish to return send back "
    "exchange swap refund cancel change like mean keep include have do"
)
_LINKING = frozenset(stem(w) for w in _LINKING_WORDS.split())
_ALL_BUT = re.compile(r"\b(?:everything|all|items|things|order|rest)\s+but\b")
# Words after an item that say it stays ("the hose is fine", "the lamp can stay").
_KEPT = frozenset(
    {"fine", "ok", "okay", "great", "perfect", "good", "lovely"}
    | {"stay", "stays", "staying", "remains"}
)
# Said after an item, that the customer keeps it ("the bottle im keeping", "the lamp I'll
# keep"); never "(keep it 45mm)", which keeps an option of an item that changes.
_KEPT_BY_THEM = re.compile(
    r"^\s*(?:i'?m|i am|i'?ll|i will|we'?re|we'?ll|i want to|i'd like to|i'll be)\s+keep(?:ing)?\b"
)
# Words that tell of what happened, not of what the customer wants done.
_TOLD = frozenset(
    {
        "receiv",
        "came",
        "come",
        "bought",
        "buy",
        "order",
        "arriv",
        "deliv",
        "ship",
        "got",
        "purchas",
        "paid",
        "had",
        "have",
        "has",
    }
)
_ASKED = frozenset(
    {
        "return",
        "exchang",
        "swap",
        "chang",
        "cancel",
        "refund",
        "replac",
        "send",
        "modifi",
        "want",
        "need",
        "like",
        "pleas",
        "can",
        "could",
        "would",
        "switch",
        "upgrad",
        "take",
        "get",
        "give",
        "sent",
    }
)
_ACTIONS = frozenset(
    {
        "return",
        "exchang",
        "swap",
        "chang",
        "cancel",
        "refund",
        "replac",
        "send",
        "modifi",
        "switch",
        "upgrad",
    }
)
_AS_CONTEXT = frozenset({"with", "contain", "hold", "includ"})


# What each request is called by customers, by the command it becomes.
_VERB_FAMILY = {
    "return": "return",
    "refund": "return",
    "send": "return",
    "exchang": "exchange",
    "swap": "exchange",
    "replac": "exchange",
    "switch": "exchange",
    "chang": "exchange",
    "modifi": "exchange",
    "upgrad": "exchange",
    "adjust": "exchange",
    "trade": "exchange",
    "cancel": "cancel",
    "remov": "cancel",
}
_ACTION_FAMILY = {
    "return_items": "return",
    "exchange_items": "exchange",
    "modify_items": "exchange",
    "cancel_order": "cancel",
}


def _governing_family(tokens: Sequence[_Token], mention: _Mention) -> str | None:
    """The kind of request whose verb last comes before the mention, if any."""
    for token in reversed(tokens[: mention.first]):
        if token.stem in _VERB_FAMILY:
            return _VERB_FAMILY[token.stem]
    return None


def _told_only(text: str, tokens: Sequence[_Token], mention: _Mention) -> bool:
    """Whether the item is named only to say which order or delivery is meant: "the
    backpack I received with the vacuum cleaner", "the order that has the hose"."""
    if mention.last < len(tokens) and tokens[mention.last].surface in _ORDER_NOUNS:
        return True  # "the headphones from my laptop order": the laptop names the order
    start = tokens[mention.first].start
    sentence = re.split(r"[.;!?\n,]", text[:start].lower())[-1]
    stems = [stem(w) for w in TOKEN.findall(sentence)]
    for i in range(len(stems) - 1, max(-1, len(stems) - 5), -1):
        if stems[i] in _AS_CONTEXT or (stems[i] in ("that", "which") and i + 1 < len(stems)):
            earlier = stems[:i]
            if any(s in _TOLD for s in earlier) or "order" in earlier:
                return True
    return False


# "… along with my computer", "together with the lamp": named as what came beside the item.
_BESIDE = frozenset({"along", "together", "besides", "alongside"})
# A product named just before one of these names the order or delivery, not an item of it.
_ORDER_NOUNS = frozenset({"order", "orders", "purchase", "delivery", "parcel", "package"})


def _told_clauses(text: str, tokens: Sequence[_Token]) -> list[bool]:
    """For each token, whether its clause only tells what happened ("I received the
    vacuum and the bag"). Clauses end at commas and sentence ends; a clause with no verb
    of either kind (", a hose and a lamp") goes on the one before it in its sentence."""
    told: list[bool] = []
    clause: list[_Token] = []
    state = False

    def close() -> None:
        nonlocal state
        stems = {t.stem for t in clause}
        if stems & _ASKED:
            state = False
        elif stems & _TOLD:
            state = True
        told.extend([state] * len(clause))
        clause.clear()

    # A question that asks for no change only asks ("is the speaker waterproof?").
    questions = [
        (m.start(), m.end())
        for m in re.finditer(r"[^.;!?\n]*\?", text)
        if not {stem(w) for w in TOKEN.findall(m.group().lower())} & _ACTIONS
    ]

    previous_end = 0
    for token in tokens:
        between = text[previous_end : token.start]
        if re.search(r"[.;!?\n,]", between) and clause:
            close()
            if re.search(r"[.;!?\n]", between):
                state = False
        clause.append(token)
        previous_end = token.end
    if clause:
        close()
    return [
        was or any(a <= t.start < b for a, b in questions)
        for t, was in zip(tokens, told, strict=True)
    ]


# --- options that tell lines apart -------------------------------------------------------

_SIZE_WORDS = {
    "xs": ("extra small", "x-small", "xsmall"),
    "s": ("small",),
    "m": ("medium",),
    "l": ("large",),
    "xl": ("extra large", "x-large", "xlarge"),
    "xxl": ("xx-large", "2xl", "xxlarge"),
}
# Option values that are ordinary words: only read next to their option's name.
_PLAIN_VALUES = frozenset(
    {
        "no",
        "yes",
        "none",
        "full",
        "half",
        "standard",
        "basic",
        "plain",
        "fix",
        "custom",
        "light",
        "dark",
    }
)
_CHEAP = frozenset({"cheaper", "cheapest", "cheap", "inexpens"})
_DEAR = frozenset({"pricier", "priciest", "dearer", "costlier"})
_PRICE = frozenset({"expens", "price", "pricey", "cost", "costli"})
_ORDINALS = {
    "first": 0,
    "1st": 0,
    "1": 0,
    "second": 1,
    "2nd": 1,
    "2": 1,
    "third": 2,
    "3rd": 2,
    "3": 2,
    "fourth": 3,
    "4th": 3,
    "4": 3,
}


def _has_key(stems: Sequence[str], phrase: str) -> bool:
    key = key_of(phrase)
    if not key:
        return False
    return any(
        "".join(stems[i:j]) == key
        for i in range(len(stems))
        for j in range(i + 1, min(i + 5, len(stems)) + 1)
    )


def _words_near(stems: Sequence[str], words: Sequence[str], span: int = 4) -> int | None:
    """The index of the first of `words` (stems) when all occur within `span` tokens."""
    if not words:
        return None
    for i, word in enumerate(stems):
        if word in words:
            window = stems[max(0, i - span) : i + span + 1]
            if all(w in window for w in words):
                return i
    return None


# Other words for a yes/no option ("a waterproof speaker" has water resistance).
_YES_NO_ALIASES = {"water resistance": ("waterproof",), "waterproof": ("water",)}


def _value_named(stems: Sequence[str], surfaces: Sequence[str], option: str, value: str) -> bool:
    """Whether the words name `value` of `option` ("black", "20 hours", "the large")."""
    v = value.lower()
    key_words = [stem(w) for w in TOKEN.findall(option.lower())]
    if v in ("yes", "no"):
        at = _words_near(stems, key_words)
        for alias in _YES_NO_ALIASES.get(option.lower(), ()):
            at = at if at is not None else _words_near(stems, [stem(alias)])
        if at is None:
            return False
        start = max(0, at - 4)
        negated = any(
            w in _NEGATION or w.endswith(("n't", "n’t"))
            for w in surfaces[start : at + len(key_words) + 2]
        )
        return negated == (v == "no")
    value_key = key_of(v)
    plain = len(value_key) <= 2 or value_key.isdigit() or value_key in _PLAIN_VALUES
    if not plain and _has_key(stems, v):
        return True
    if not plain and " " in v.strip():
        head = v.split()[0]  # "1.5" of "1.5 liters" whole: its "1" is no "1 liter"
        if any(ch.isdigit() for ch in head) and _has_key(stems, head):
            return True  # "the 60W one" for "60W equivalent"
    if any(_has_key(stems, word) for word in _SIZE_WORDS.get(v, ())):
        return True
    if plain:
        for i in range(len(stems)):
            tail = "".join(stems[i : i + 3])
            if (
                tail == "".join(key_words) + value_key
                or tail == "".join(key_words) + "is" + value_key
            ):
                return True
    return False


def _narrow(
    candidates: Sequence[int], lines: Sequence[Line], tokens: Sequence[_Token]
) -> list[int]:
    """The candidates the words fit: options named, cheaper or dearer; all when no clue."""
    stems = [t.stem for t in tokens]
    surfaces = [t.surface for t in tokens]
    kept = list(candidates)
    keys = {k for i in candidates for k in lines[i].options}
    for option in sorted(keys):
        values = {lines[i].options.get(option) for i in candidates}
        if len(values) < 2:
            continue
        named = {v for v in values if v is not None and _value_named(stems, surfaces, option, v)}
        if named and len(named) < len(values):
            narrowed = [i for i in kept if lines[i].options.get(option) in named]
            kept = narrowed or kept
    prices = {_price(lines[i]) for i in kept}
    if None not in prices and len(prices) == len(kept) > 1:
        words = set(stems)
        priced = bool(words & _PRICE)
        cheap = bool(words & _CHEAP) or (priced and bool(words & {"less", "lower", "least"}))
        dear = bool(words & _DEAR) or (not cheap and "expens" in words)
        dear = dear or (priced and bool(words & {"more", "higher", "most"}))
        if cheap != dear:
            pick = min if cheap else max
            kept = [pick(kept, key=lambda i: _price(lines[i]) or ZERO)]
    return kept


# --- the resolver ------------------------------------------------------------------------


@dataclass
class _Named:
    """One product the customer named, and the order lines it may be."""

    what: str
    candidates: list[int]
    chosen: list[int] = field(default_factory=list)
    settled: bool = False
    at: int = -1  # the token the mention naming it begins at


def _windows(
    text: str, tokens: Sequence[_Token], mentions: Sequence[_Mention]
) -> list[tuple[int, int]]:
    """The words that describe each mention: up to the conjunction before the next one."""
    bounds: list[tuple[int, int]] = []
    for n, mention in enumerate(mentions):
        start = bounds[-1][1] if bounds else 0
        end = len(tokens)
        if n + 1 < len(mentions):
            nxt = mentions[n + 1].first
            end = nxt
            for i in range(mention.last, nxt):
                if (
                    tokens[i].surface in _CONJUNCTIONS
                    or "," in text[tokens[i - 1].end : tokens[i].start]
                ):
                    end = i
            end = max(end, mention.last)
        bounds.append((start, end))
    return bounds


def resolve_items(
    order: Order,
    text: str,
    named: Sequence[str] = (),
    item_ids: Sequence[str] = (),
    *,
    action: str | None = None,
) -> ItemResolution:
    """The order lines the customer named, one by one; see the module's docstring.

    With `action` (a command kind: "return_items", "exchange_items", "modify_items",
    "cancel_order"), items named under another request's verb are left to that request:
    in "return the hose and exchange the boots" the return is the hose's only.
    """
    lines = list(order.lines)
    found = _resolve(lines, text, named, item_ids, action)
    resolved = tuple(lines[i] for i in found.chosen)
    if found.missing:
        return Missing(found.missing, resolved)
    if found.pending:
        return Ambiguous(tuple(lines[i] for i in found.pending), found.what, resolved)
    if not found.chosen:
        return NothingNamed()
    return Resolved(resolved)


def settled_lines(text: str, lines: Sequence[LineT]) -> list[LineT]:
    """The lines the text settles, for readers of any kind of line (the brain's): a
    name that fits several lines settles none of them, and nothing is guessed."""
    return [lines[i] for i in _resolve(lines, text, (), ()).chosen]


@dataclass(frozen=True)
class _Outcome:
    chosen: tuple[int, ...]  # indexes of the lines settled
    missing: tuple[str, ...]
    pending: tuple[int, ...]  # the first unsettled name's candidates
    what: str


def _resolve(
    lines: Sequence[Line],
    text: str,
    named: Sequence[str],
    item_ids: Sequence[str],
    action: str | None = None,
) -> _Outcome:
    own = [own_keys(line.name) for line in lines]
    aliases = [alias_keys(line.name) for line in lines]
    option_words = {
        stem(w)
        for line in lines
        for k, v in line.options.items()
        for w in TOKEN.findall(f"{k} {v}".lower())
    }
    every_key = set().union(*own, *aliases, PRODUCT_WORDS) if lines else set(PRODUCT_WORDS)
    # Typos are fixed toward the order's own products and options only: toward any
    # product, a word of the message ("double-clicks") becomes one the order does not
    # hold ("clock"), and the customer is told it is missing.
    on_order = {k for k in set().union(*own, *aliases) if k.isalpha()}
    vocabulary = on_order | {w for w in option_words if w.isalpha()}
    tokens = _fix_typos(_tokens(text), vocabulary, on_order)
    mentions = _mentions(tokens, every_key)
    windows = _windows(text, tokens, mentions)
    targets = _targets(text, tokens, mentions)
    # Words naming an item the customer keeps ("the navy one is fine") never pick one meant.
    kept_words = _kept_words(text, tokens)
    not_picking = set(targets) | kept_words

    picked = list(item_ids) + _ITEM_ID.findall(text)
    missing: list[str] = []
    taken: list[int] = []  # lines an id settled, one per id
    for item_id in picked:
        free = [i for i, line in enumerate(lines) if line.item_id == item_id and i not in taken]
        if free:
            taken.append(free[0])
        elif not any(line.item_id == item_id for line in lines):
            missing.append(item_id)

    groups: list[_Named] = []
    excluded: set[int] = set()
    excluded_at: dict[int, int] = {}  # where each line was last named to be left out
    option_keys = {key_of(k) for line in lines for k in line.options}
    option_values = {key_of(v) for line in lines for v in line.options.values()}
    told_clause = _told_clauses(text, tokens)
    told = [_told_only(text, tokens, m) or told_clause[m.first] for m in mentions]
    # "I got two identical tees. One goes back": the story names what the request is about.
    told = [
        was and not _ONE_OF_THEM.search(text[tokens[m.last - 1].end : _end_of(tokens, window)])
        for was, m, window in zip(told, mentions, windows, strict=True)
    ]
    if all(told):  # "I got the wrong speaker": a story is all there is to go on
        told = [_told_only(text, tokens, m) for m in mentions]
    if action is not None:
        family = _ACTION_FAMILY.get(action)
        told = [
            was or _governing_family(tokens, m) not in (None, family)
            for was, m in zip(told, mentions, strict=True)
        ]
    set_aside: set[int] = set()  # lines named only as context, or for another request
    # Where a mention of a product the order holds begins: a product word just before it
    # describes it ("bike helmets" for a Cycling Helmet).
    held_next = {m.first for m in mentions if _lines_of(m.key, own, aliases)}
    describing: set[str] = set()  # product words that only describe another product
    for mention, (start, end), context in zip(mentions, windows, told, strict=True):
        candidates = _lines_of(mention.key, own, aliases)
        if mention.key in option_values and _names_an_option(tokens, mention, option_keys):
            continue  # "the laptop compartment" of a backpack is no laptop
        modifies = mention.key in option_values and _modifies_next(text, tokens, mention)
        if not candidates and modifies:
            describing.add(mention.key)  # "the laptop sleeve" of a backpack
            continue
        if context:
            set_aside.update(candidates)
            continue
        if _excluded(text, tokens, mention, option_words):
            excluded.update(candidates)
            said_before = {t.surface for t in tokens[max(0, mention.first - 2) : mention.first]}
            if not said_before & {"other", "others", "remaining", "rest"}:
                for i in candidates:  # "…and the bottle. Oh wait, not the bottle"
                    excluded_at[i] = max(excluded_at.get(i, -1), mention.first)
            continue  # ("the other kettles stay" leaves out the kettles not meant, no more)
        if not candidates:
            if mention.last in held_next:  # "bike" in "bike helmets" the order holds
                describing.add(mention.key)
            elif mention.key in PRODUCT_WORDS:
                missing.append(mention.surface)
            continue
        group = _settle(mention, candidates, lines, tokens, start, end, not_picking, text)
        group.at = mention.first
        groups.append(group)

    if not groups and not taken and not named and not missing and set_aside:
        # "It came with the same notebook twice … can I send the spare back?": the request
        # names nothing itself, so it is about the items its story names.
        for mention, (start, end), context in zip(mentions, windows, told, strict=True):
            if not context or (action is not None and _governing_family(tokens, mention)
                               not in (None, _ACTION_FAMILY.get(action))):  # fmt: skip
                continue
            if {t.surface for t in tokens[max(0, mention.first - 4) : mention.first]} & _BESIDE:
                continue  # "the headphones I got along with my computer": not the computer
            candidates = _lines_of(mention.key, own, aliases)
            if candidates and not _excluded(text, tokens, mention, option_words):
                group = _settle(mention, candidates, lines, tokens, start, end, not_picking, text)
                # How many the story says there are is not how many are meant: "has two
                # helmets. I'd like to return the blue one in size L" is the blue L.
                picking = [t for i, t in enumerate(tokens) if i not in not_picking]
                narrowed = _narrow(group.chosen, lines, picking) if len(group.chosen) > 1 else []
                if narrowed and len(narrowed) < len(group.chosen):
                    group.chosen = narrowed
                groups.append(group)
    everything = _asks_for_everything(text)
    untargeted = [t for i, t in enumerate(tokens) if i not in targets]
    held_keys = [m.key for m in mentions if m.first in held_next]
    for name in named:
        key = key_of(name)
        if key in describing or any(key != held and held.startswith(key) for held in held_keys):
            continue  # the brain heard "bike" alone; the text says "bike helmets"
        _add_named(
            name, lines, own, aliases, groups, excluded | set_aside, missing, untargeted, everything
        )

    # A group the ids pick from is settled by them ("the robotic one" answered by its id).
    for group in groups:
        ids = [i for i in taken if i in group.candidates]
        if ids:
            group.chosen, group.settled = ids, True
    # Words anywhere in the text may still tell a group's lines apart, when they speak
    # of none of the other products named ("a vacuum and a purifier … the robotic one")
    # and do not name one the customer keeps ("the navy one is fine").
    for group in groups:
        if not group.settled:
            others = {i for g in groups if g is not group for i in g.candidates}
            foreign = {
                stem(w)
                for i in others
                for v in lines[i].options.values()
                for w in TOKEN.findall(v.lower())
            }
            own_words = [
                t for i, t in enumerate(tokens) if t.stem not in foreign and i not in not_picking
            ]
            narrowed = _narrow(group.candidates, lines, own_words)
            if len(narrowed) == 1:
                group.chosen, group.settled = narrowed, True
            elif len(narrowed) < len(group.candidates):
                group.candidates = narrowed
    # "The black one is fine", "the big silver one stays": lines left out by an option.
    kept = _kept_by_option(text, lines)
    for group in groups:
        for part in ("chosen", "candidates"):
            lines_of = getattr(group, part)
            remaining = [i for i in lines_of if i not in kept]
            if remaining and len(remaining) < len(lines_of):
                setattr(group, part, remaining)
        if not group.settled and len(group.candidates) == 1:
            group.chosen, group.settled = list(group.candidates), True
    chosen: set[int] = set(taken)
    if everything:
        chosen.update(i for i in range(len(lines)) if i not in excluded)
    pending = [g for g in groups if not g.settled and not everything]
    for group in groups:
        if group.settled:
            # A line left out after it was named is left out: the customer changed their mind.
            chosen.update(
                i for i in group.chosen if i not in excluded_at or excluded_at[i] < group.at
            )
    first = pending[0] if pending else None
    return _Outcome(
        chosen=tuple(sorted(chosen)),
        missing=tuple(dict.fromkeys(missing)),
        pending=tuple(first.candidates) if first else (),
        what=first.what if first else "",
    )


def _end_of(tokens: Sequence[_Token], window: tuple[int, int]) -> int:
    """Where a mention's window of tokens ends in the text."""
    return tokens[window[1] - 1].end if window[1] > window[0] else 0


def _lines_of(
    key: str, own: Sequence[frozenset[str]], aliases: Sequence[frozenset[str]]
) -> list[int]:
    """The lines a product key names: those whose own name it is, else their aliases'."""
    owners = [i for i, keys in enumerate(own) if key in keys]
    return owners or [i for i, keys in enumerate(aliases) if key in keys]


def _kept_words(text: str, tokens: Sequence[_Token]) -> set[int]:
    """The tokens of the phrases naming an item the customer keeps by its options ("the
    black one is fine"): they never pick the item meant."""
    spans = [(m.start(), m.end()) for m in KEPT_ONE.finditer(text.lower())]
    return {i for i, t in enumerate(tokens) if any(a <= t.start < b for a, b in spans)}


def _kept_by_option(text: str, lines: Sequence[Line]) -> set[int]:
    """The lines the customer keeps by naming options: "the black one is fine" keeps the
    lines whose options hold "black", "the red M is staying" those holding both "red" and
    "M" (only when some line holds not all of them; words naming no option count for
    nothing)."""
    kept: set[int] = set()
    option_words = [
        {stem(w) for v in line.options.values() for w in TOKEN.findall(v.lower())}
        for line in lines
    ]
    for found in KEPT_ONE.finditer(text.lower()):
        named = next((g for g in found.groups() if g), "")
        # The option words named ("big" names none); a line kept has every one of them.
        words = {stem(w) for w in TOKEN.findall(named)} & set().union(*option_words)
        having = {i for i, own in enumerate(option_words) if words and words <= own}
        if having and len(having) < len(lines):
            kept |= having
    return kept


def _names_an_option(
    tokens: Sequence[_Token], mention: _Mention, option_keys: Collection[str]
) -> bool:
    """Whether a product word is an option's value here ("laptop compartment")."""
    after = "".join(t.stem for t in tokens[mention.last : mention.last + 2])
    before = "".join(t.stem for t in tokens[max(0, mention.first - 2) : mention.first])
    return any(k and (after.startswith(k) or before.endswith(k)) for k in option_keys)


# Words after a product word that leave it the thing named: "return the laptop please".
_NOT_A_NOUN = frozenset(
    {"and", "or", "but", "to", "from", "for", "in", "on", "at", "of", "with", "by", "please"}
    | {"back", "too", "as", "is", "are", "was", "were", "that", "which", "i", "it", "they"}
    | {"them", "me", "my", "you", "we"}
)


def _modifies_next(text: str, tokens: Sequence[_Token], mention: _Mention) -> bool:
    """Whether a product word stands before another noun of its clause, describing it
    ("the laptop sleeve", "a laptop pocket") rather than being the thing named."""
    if mention.last >= len(tokens):
        return False
    following = tokens[mention.last]
    gap = text[tokens[mention.last - 1].end : following.start]
    return not re.search(r"[^\s-]", gap) and following.surface not in _NOT_A_NOUN


def _settle(
    mention: _Mention,
    candidates: list[int],
    lines: Sequence[Line],
    tokens: Sequence[_Token],
    start: int,
    end: int,
    not_picking: Collection[int],
    text: str = "",
) -> _Named:
    what = (
        lines[candidates[0]].name
        if len({lines[i].name for i in candidates}) == 1
        else mention.surface
    )
    group = _Named(what, candidates)
    if len(candidates) == 1:
        group.chosen, group.settled = candidates, True
        return group
    before = [t.surface for t in tokens[max(start, mention.first - 3) : mention.first]]
    count = next((_COUNTS[w] for w in before if w in _COUNTS), None)
    plural = _plural(tokens[mention.last - 1], [lines[i].name for i in candidates])
    one_of = "of" in before and bool(set(before) & {"one", "1", "either", "any", "which"})
    # "one tshirt", "a single mug", "just 1 of the tees": one line, whatever the order holds
    # (the words just before it count though a list's "So: one T-shirt" opens its window).
    just_before = [
        t.surface
        for t in tokens[max(0, mention.first - 2) : mention.first]
        if not re.search(r"[.!?;]", text[t.end : tokens[mention.first].start])
    ]
    one_of = one_of or bool(set(before[-2:] + just_before) & {"one", "1", "single"})
    # "I got two tees, I only want to send one of them back", "the one that cost 375.03":
    # how many there are is not how many are meant.
    window = text[tokens[start].start : tokens[end - 1].end] if text and end > start else ""
    single = one_of or _ONE_OF_THEM.search(window) is not None
    many = not single and (count is not None or plural or bool(set(before) & _ALL_WORDS))
    narrowed = _narrow(
        candidates, lines, [tokens[i] for i in range(start, end) if i not in not_picking]
    )
    narrowed = _by_amount(narrowed, lines, window) or narrowed
    if single and len(narrowed) > 1 and _same_line(lines, narrowed):
        narrowed = narrowed[:1]  # identical lines: any one of them is the one meant
    if many and (count is None or count == len(narrowed)):
        group.chosen, group.settled = narrowed, True  # "both speakers", "the black tees"
    elif len(narrowed) == 1 and not many:
        group.chosen, group.settled = narrowed, True
    elif len(narrowed) < len(candidates):
        group.candidates = narrowed
    return group


_ONE_OF_THEM = re.compile(
    r"\b(?:(?:only|just)\s+(?:\w+\s+){0,5}?one|one of (?:them|the two|those|these|the)|"
    r"the one (?:that|which|with|in|for|at|costing|priced)|a single one|"
    r"the (?:extra|spare|second|duplicate|other) one|one is (?:plenty|enough)|"
    r"one (?:of them )?(?:goes|go|can go|should go|is going|needs to go) back)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"(?<![\d.])\$?(\d{1,6}(?:,\d{3})*\.\d{2})(?![\d])")


def _by_amount(candidates: Sequence[int], lines: Sequence[Line], window: str) -> list[int]:
    """The candidates whose price the words state exactly ("the one that cost 375.03");
    none when no amount is stated or it fits no candidate."""
    stated = {Decimal(a.replace(",", "")) for a in _AMOUNT.findall(window)}
    if not stated:
        return []
    return [i for i in candidates if _price(lines[i]) in stated]


def _same_line(lines: Sequence[Line], indices: Sequence[int]) -> bool:
    """Whether the lines are the same item with the same options at the same price."""
    first = lines[indices[0]]
    return all(
        lines[i].item_id == first.item_id
        and dict(lines[i].options) == dict(first.options)
        and _price(lines[i]) == _price(first)
        for i in indices
    )


def _targets(text: str, tokens: Sequence[_Token], mentions: Sequence[_Mention]) -> set[int]:
    """Tokens that describe the variant wanted instead, not the line itself: "change the
    silicone watch to a metal one", "swap the tee for a red one"."""
    marked: set[int] = set()
    starts = {m.first for m in mentions}
    for mention in mentions:
        i = mention.last
        while i < len(tokens):
            gap = text[tokens[i - 1].end : tokens[i].start]
            if re.search(r"[.;!?\n]", gap) or i in starts:
                break
            word = tokens[i].surface
            following = tokens[i + 1].surface if i + 1 < len(tokens) else ""
            if word in ("for", "into", "instead") or (
                word == "to" and following in ("a", "an", "the", "one", "something")
            ):
                j = i
                while j < len(tokens) and j not in starts:
                    if j > i and re.search(r"[.;!?\n,]", text[tokens[j - 1].end : tokens[j].start]):
                        break
                    marked.add(j)
                    j += 1
                break
            i += 1
    return marked


def _plural(token: _Token, names: Iterable[str]) -> bool:
    """Whether the customer wrote the product in the plural ("the speakers") where its
    name is singular; "shoes" for Running Shoes says nothing about how many."""
    plural_word = token.surface.endswith("s") and token.stem != token.surface
    if not plural_word:
        return False
    return all(not name.lower().endswith("s") for name in names)


def _add_named(
    name: str,
    lines: Sequence[Line],
    own: Sequence[frozenset[str]],
    aliases: Sequence[frozenset[str]],
    groups: list[_Named],
    excluded: set[int],
    missing: list[str],
    tokens: Sequence[_Token],
    everything: bool,
) -> None:
    """A product the brain heard: a line the text named already, another line, or missing."""
    key = key_of(name)
    if not key:
        return
    candidates = _lines_of(key, own, aliases)
    if not candidates:
        inner = _mentions(_tokens(name), set().union(*own, *aliases) if lines else set())
        for mention in inner:
            candidates += _lines_of(mention.key, own, aliases)
    if not candidates:
        if not everything and name.strip().lower() not in (m.lower() for m in missing):
            missing.append(name.strip())
        return
    covered = {i for g in groups for i in g.candidates + g.chosen} | excluded
    if covered & set(candidates) or everything:
        return
    group = _Named(lines[candidates[0]].name, sorted(set(candidates)))
    if len(group.candidates) == 1:
        group.chosen, group.settled = group.candidates, True
    else:
        narrowed = _narrow(group.candidates, lines, tokens)
        if len(narrowed) == 1:
            group.chosen, group.settled = narrowed, True
    groups.append(group)


def choose_among(candidates: Sequence[OrderLine], answer: str) -> ItemResolution:
    """The customer's answer to "which of these?": by option, price, position or id.

    "both" or "all of them" takes every candidate; "the first one" the first listed;
    "the robotic one", "the cheaper one", "the one that isn't water resistant" the one
    those words fit. Anything that still fits several is `Ambiguous` again, and an
    answer that picks none is `NothingNamed`.
    """
    if not candidates:
        return NothingNamed()
    lines = list(candidates)
    tokens = _tokens(answer)
    surfaces = [t.surface for t in tokens]
    ids = _ITEM_ID.findall(answer)
    by_id = [i for i, line in enumerate(lines) if line.item_id in ids]
    if by_id:
        return Resolved(tuple(lines[i] for i in by_id))
    if set(surfaces) & {"both", "all", "each", "every"} or _EVERYTHING.search(answer.lower()):
        return Resolved(tuple(lines))
    if "last" in surfaces:
        return Resolved((lines[-1],))
    if len({line.item_id for line in lines}) == 1:
        if set(surfaces) & {"one", "single", "1", "just", "only"}:
            return Resolved((lines[0],))
        return Ambiguous(tuple(lines), lines[0].name)
    narrowed = _narrow(range(len(lines)), lines, tokens)
    if len(narrowed) == 1:
        return Resolved((lines[narrowed[0]],))
    ordinal = [_ORDINALS[w] for w in surfaces if w in _ORDINALS and _ORDINALS[w] < len(lines)]
    if (
        len(narrowed) == len(lines)
        and len(set(ordinal)) == 1
        and not any(t.isdigit() and len(t) > 1 for t in surfaces)
    ):
        return Resolved((lines[ordinal[0]],))
    if len(narrowed) < len(lines):
        return Ambiguous(tuple(lines[i] for i in narrowed), lines[narrowed[0]].name)
    return NothingNamed()


# --- describing lines and proposals ------------------------------------------------------


def describe_options(options: Mapping[str, str]) -> str:
    """Options in plain words: "color blue, battery life 10 hours, water resistance no"."""
    return ", ".join(f"{key} {value}" for key, value in options.items())


def _distinguishing(lines: Sequence[OrderLine]) -> list[str]:
    keys = list(dict.fromkeys(k for line in lines for k in line.options))
    return [k for k in keys if len({line.options.get(k) for line in lines}) > 1]


def describe_choices(candidates: Sequence[OrderLine]) -> str:
    """The candidates of a question, told apart by what differs: "the Vacuum Cleaner
    with type canister (622.12) or the Vacuum Cleaner with type robotic (652.61)"."""
    keys = _distinguishing(candidates)
    parts = []
    for line in candidates:
        shown = {k: line.options[k] for k in keys if k in line.options} or dict(line.options)
        options = f" with {describe_options(shown)}" if shown else ""
        parts.append(f"the {line.name}{options} ({format_money(line.price)})")
    return _join(parts, "or")


def describe_lines(lines: Sequence[OrderLine | ProposalLine]) -> str:
    """Lines in plain English, each with its options and amount: "the Bluetooth Speaker
    (color blue, battery life 10 hours, water resistance no) for 305.45"."""
    parts = []
    for line in lines:
        amount = line.amount if isinstance(line, ProposalLine) else line.price
        options = f" ({describe_options(line.options)})" if line.options else ""
        parts.append(f"the {line.name}{options} for {format_money(amount)}")
    return _join(parts, "and")


def _join(parts: Sequence[str], word: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


@dataclass(frozen=True)
class ProposalLine:
    """One item a proposal changes: what it is, and what it moves."""

    item_id: str
    name: str
    options: Mapping[str, str]
    amount: Decimal  # the refund for a returned or cancelled item; the price difference otherwise
    new_item_id: str | None = None
    new_options: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Proposal:
    """What the customer says yes to: every item, the method the money moves with, the total."""

    action: str
    order_id: str
    lines: tuple[ProposalLine, ...]
    total: Decimal
    money: str  # "refund", "charge" or "none"
    methods: tuple[str, ...]  # the payment methods the money moves with, described


def proposal_lines(
    order: Order, change: OrderChange, catalogue: Mapping[str, Variant] | None = None
) -> list[ProposalLine]:
    """The items a planned change touches, each with its options and amount.

    A return or a cancellation lists each item at its price; an exchange or an item
    change lists each item with the variant it becomes and the price difference.
    Address and payment changes touch no item.
    """
    lines = list(order.lines)
    if change.action == "return_items":
        ids = list(change.fields.get("return_items") or ())  # type: ignore[call-overload]
        return [_plain(lines[i]) for i in _indexes(lines, ids)]
    if change.action == "cancel_order":
        return [_plain(line) for line in lines]
    if change.action == "modify_items":
        return [
            ProposalLine(
                item_id=lines[u.index].item_id,
                name=lines[u.index].name,
                options=dict(lines[u.index].options),
                amount=u.variant.price - lines[u.index].price,
                new_item_id=u.variant.item_id,
                new_options=dict(u.variant.options),
            )
            for u in change.line_updates
        ]
    if change.action == "exchange_items":
        old = list(change.fields.get("exchange_items") or ())  # type: ignore[call-overload]
        new = list(change.fields.get("exchange_new_items") or ())  # type: ignore[call-overload]
        pool = [(catalogue or {}).get(i) for i in new]
        out = []
        for index in _indexes(lines, old):
            line = lines[index]
            match = next(
                (v for v in pool if v is not None and v.product_id == line.product_id), None
            )
            if match is not None:
                pool.remove(match)
            out.append(
                ProposalLine(
                    item_id=line.item_id,
                    name=line.name,
                    options=dict(line.options),
                    amount=(match.price - line.price) if match else ZERO,
                    new_item_id=match.item_id if match else None,
                    new_options=dict(match.options) if match else None,
                )
            )
        return out
    return []


def _plain(line: OrderLine) -> ProposalLine:
    return ProposalLine(line.item_id, line.name, dict(line.options), line.price)


def _indexes(lines: Sequence[OrderLine], item_ids: Sequence[str]) -> list[int]:
    """Each id takes the next line with that id, in the order's own order."""
    taken: list[int] = []
    for item_id in item_ids:
        free = [i for i, line in enumerate(lines) if line.item_id == item_id and i not in taken]
        if free:
            taken.append(free[0])
    return sorted(taken)


def proposal_of(
    order: Order,
    change: OrderChange,
    methods: Mapping[str, PaymentMethod],
    catalogue: Mapping[str, Variant] | None = None,
) -> Proposal:
    """The whole proposal of a planned change: its items, total and payment methods."""
    method_ids: list[str] = []
    money = "none"
    if change.action == "return_items":
        method_ids = [str(change.fields.get("return_payment_method_id") or "")]
        money = "refund"
    elif change.action == "exchange_items":
        method_ids = [str(change.fields.get("exchange_payment_method_id") or "")]
        difference = Decimal(str(change.fields.get("exchange_price_difference") or ZERO))
        money = "charge" if difference > ZERO else "refund" if difference < ZERO else "none"
    elif change.transactions:
        method_ids = list(dict.fromkeys(t.payment_method_id for t in change.transactions))
        kinds = {t.kind.value for t in change.transactions}
        money = "charge" if kinds == {"payment"} else "refund" if kinds == {"refund"} else "none"
    if change.amount == ZERO:
        money = "none"
    described = tuple(methods[m].describe() if m in methods else m for m in method_ids if m)
    return Proposal(
        action=change.action,
        order_id=change.order_id,
        lines=tuple(proposal_lines(order, change, catalogue)),
        total=change.amount,
        money=money,
        methods=described,
    )


def _difference(line: ProposalLine) -> str:
    """What one swapped item costs more or less than the item it replaces."""
    if not line.amount:
        return " (same price)"
    more = "more" if line.amount > 0 else "less"
    return f" ({format_money(abs(line.amount))} {more})"


def describe_proposal(proposal: Proposal) -> str:
    """The proposal in one plain sentence the customer can check before saying yes."""
    verb = {
        "return_items": "return",
        "cancel_order": "cancel",
        "exchange_items": "exchange",
        "modify_items": "change",
        "modify_order_address": "change the shipping address of",
        "modify_order_payment": "change the payment method of",
    }.get(proposal.action, proposal.action.replace("_", " "))
    if proposal.lines:
        if proposal.action in ("exchange_items", "modify_items"):
            several = len(proposal.lines) > 1  # each difference, then their total
            items = _join(
                [
                    f"the {line.name} ({describe_options(line.options)}) for one with "
                    f"{describe_options(line.new_options or {})}"
                    + (_difference(line) if several else "")
                    for line in proposal.lines
                ],
                "and",
            )
        else:
            items = describe_lines(proposal.lines)
        what = f"{verb} {items} from order {proposal.order_id}"
    else:
        what = f"{verb} order {proposal.order_id}"
    if proposal.money == "none":
        return f"I will {what}; no money moves."
    methods = _join([f"your {m}" for m in proposal.methods], "and") or "your payment method"
    direction = "to" if proposal.money == "refund" else "on"
    return f"I will {what}: {proposal.money} {format_money(proposal.total)} {direction} {methods}."
