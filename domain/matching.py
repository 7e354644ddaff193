"""Reading what a customer wants, against the shop's own facts.

Pure matchers the dialogue uses before it proposes an action: which lines of an
order the customer names ("the water bottle"), which variant of a product they ask
for ("the blue one in size 10", "a size up"), and which address they want an order
shipped to or their account moved to. Each returns nothing rather than a guess; the
dialogue then asks one question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from domain.product_words import KEPT_ONE, customer_words
from domain.retail import Address, OrderLine, Variant

# --- the order lines a message names -----------------------------------------------------


class NamedLine(Protocol):
    """What naming an order line needs; the store's lines and the brain's both have it."""

    @property
    def item_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def options(self) -> Mapping[str, str]: ...


LineT = TypeVar("LineT", bound=NamedLine)

_ITEM_ID = re.compile(r"\b(\d{10})\b")

# Spellings customers use for a product, by its last word or its whole name.
_PRODUCT_ALIASES: dict[str, tuple[str, ...]] = {
    "t-shirt": ("t-shirt", "t shirt", "tshirt", "tee", "tee shirt", "shirt"),
    "headphones": ("headphones", "headphone", "headset", "earphones"),
    "laptop": ("laptop", "computer"),
    "chair": ("chair",),
    "shoes": ("shoes", "shoe", "sneakers", "trainers"),
    "bottle": ("bottle",),
    "lamp": ("lamp",),
    "mug": ("mug", "cup"),
    "bike": ("bike", "bicycle"),
    "dumbbell set": ("dumbbells", "dumbbell", "weights"),
    "luggage set": ("luggage", "suitcase"),
    "makeup kit": ("makeup", "make-up"),
}
# Last words of product names too general to name the product on their own ("the set").
_GENERIC_HEADS = frozenset({"set", "kit"})


def _own_phrases(name: str) -> set[str]:
    """The product's own name, and its last word ("bottle" for a Water Bottle)."""
    lowered = name.lower()
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)?", lowered)
    phrases = {lowered, " ".join(words)}
    if words and words[-1] not in _GENERIC_HEADS:
        phrases.add(words[-1])
    return {p for p in phrases if len(p) >= 3}


def product_phrases(name: str) -> set[str]:
    """The words a customer may use for the product called `name` ("tee" for a T-Shirt)."""
    lowered = name.lower()
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)?", lowered)
    phrases = _own_phrases(name) | customer_words(name)
    if words:
        head = words[-1]
        for key, spellings in _PRODUCT_ALIASES.items():
            if head == key or head in spellings or key in lowered:
                phrases.update(spellings)
    return {p for p in phrases if len(p) >= 3}


def _spans(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where lower-cased `text` has `phrase` as whole words, plurals included."""
    pattern = rf"(?<![a-z0-9]){re.escape(phrase)}(?:s|es)?(?![a-z0-9])"
    return [match.span() for match in re.finditer(pattern, text)]


def _same_words(a: str, b: str) -> bool:
    """Whether two phrases are one, but for a plural ("shoe", "shoes")."""
    return any(re.fullmatch(rf"{re.escape(x)}(?:s|es)?", y) for x, y in ((a, b), (b, a)))


def _names(text: str, phrase: str) -> bool:
    return bool(_spans(text, phrase))


def _option_named(text: str, key: str, value: str) -> bool:
    v = value.lower()
    if len(v) <= 2:  # "M", "L", "9": only with the option's name next to it
        return re.search(rf"\b{re.escape(key.lower())}\s*:?\s*{re.escape(v)}\b", text) is not None
    return _names(text, v)


def lines_named(text: str, lines: Sequence[LineT]) -> list[LineT]:
    """The order lines a message names, each once: by ten-digit item id, or by product.

    A product is named by its name, its last word or a usual spelling ("the water
    bottle", "my bottle", "the tee"). A spelling that is another line's own name is
    that line's ("shoes" are the Running Shoes, not the Sneakers), and a mention inside
    a longer one is the longer one's ("action camera" is not the Digital Camera). When
    several lines share the product, option values the message mentions ("the red
    tee") narrow them down; when it mentions none of theirs, all stay named.
    """
    lowered = text.lower()
    ids = set(_ITEM_ID.findall(text))
    chosen = [line for line in lines if line.item_id in ids]
    own = [_own_phrases(line.name) for line in lines]

    def phrases(line: LineT, mine: set[str]) -> set[str]:
        others = {
            p
            for other, theirs in zip(lines, own, strict=True)
            if other.name != line.name
            for p in theirs
        }
        aliases = product_phrases(line.name) - mine
        return mine | {a for a in aliases if not any(_same_words(a, o) for o in others)}

    found = [
        [span for p in phrases(line, mine) for span in _spans(lowered, p)]
        for line, mine in zip(lines, own, strict=True)
    ]
    every = {span for spans in found for span in spans}

    def inside_another(span: tuple[int, int]) -> bool:
        return any(a <= span[0] and span[1] <= b and (a, b) != span for a, b in every)

    named = [
        line
        for line, spans in zip(lines, found, strict=True)
        if any(not inside_another(span) for span in spans)
    ]
    if len(named) > 1:
        narrowed = [
            line
            for line in named
            if any(_option_named(lowered, k, v) for k, v in line.options.items())
        ]
        named = narrowed or named
    for line in named:
        if line not in chosen:
            chosen.append(line)
    return chosen


# --- option values a message names ---------------------------------------------------------

# Option values that are short or numeric are only read next to their option's name
# ("size 9", "9 size" is too odd to expect); these words stand for them on their own.
_SIZE_WORDS = {
    "xs": ("extra small", "x-small"),
    "s": ("small",),
    "m": ("medium",),
    "l": ("large",),
    "xl": ("extra large", "x-large"),
    "xxl": ("xx-large", "2xl"),
}
# A letter size standing alone after an article or preposition: "for an M", "in XL".
_LETTER_SIZES = {
    size: re.compile(rf"\b(?:an?|in|the|for|to|into)\s+{size}(?![a-z0-9'-])")
    for size in _SIZE_WORDS
}


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text) is not None


def _value_mentioned(text: str, key: str, value: str) -> bool:
    v = value.lower()
    if _same_quantity_named(text, v):
        return True  # "the 1 litre one" for a capacity of "1000ml"
    if len(v) > 2 and not v.isdigit():
        return _mentions(text, v)
    if _value_named_outright(text, key, value):
        return True
    return any(_mentions(text, word) for word in _SIZE_WORDS.get(v, ()))


def requested_options(
    text: str, variants: Sequence[Variant], current: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The option values of these variants that the text names, one per option at most.

    A value the item has now (`current`) is what the customer moves away from ("navy
    instead of green"), so it is passed over when another value of that option is named."""
    lowered = text.lower()
    values: dict[str, set[str]] = {}
    for variant in variants:
        for key, value in variant.options.items():
            values.setdefault(key, set()).add(value)
    found: dict[str, str] = {}
    contrasted: set[str] = set()  # options whose value now is named beside another one
    for key, choices in values.items():
        named = [v for v in choices if _value_mentioned(lowered, key, v)]
        if current is not None and len(named) > 1:
            if current.get(key) in named:
                contrasted.add(key)
            named = [v for v in named if v != current.get(key)]
        # The longest mention wins ("rose gold" over "gold"); a tie is not a choice.
        named.sort(key=len, reverse=True)
        if named and (len(named) == 1 or len(named[0]) > len(named[1])):
            found[key] = named[0]
    return _one_option_per_word(lowered, found, contrasted)


def _one_option_per_word(
    text: str, found: dict[str, str], contrasted: Collection[str]
) -> dict[str, str]:
    """One word names one option: "medium" is size M or a ventilation of medium, not both.
    The option named beside it keeps it ("medium ventilation"), else the option the
    customer contrasts ("it's a small … in a medium"); otherwise neither is read from it."""
    for size_key, size in list(found.items()):
        words = _SIZE_WORDS.get(size.lower(), ())
        if not words or not _is_size(size_key) or _value_named_outright(text, size_key, size):
            continue
        for other_key, other in list(found.items()):
            if other_key != size_key and other.lower() in words:
                keep = [k for k in (size_key, other_key) if k in contrasted]
                beside = (f"{other} {other_key}".lower(), f"{other_key} {other}".lower())
                if any(_mentions(text, phrase) for phrase in beside):
                    keep = [other_key]  # "medium ventilation"
                for key in (size_key, other_key):
                    if keep != [key]:
                        found.pop(key, None)
    return found


def _value_named_outright(text: str, key: str, value: str) -> bool:
    """Whether a short value is named with its option's name or as a letter ("size M",
    "in M"), not only by a word for it ("medium")."""
    v = value.lower()
    k = re.escape(key.lower())
    if re.search(rf"\b{k}\s*(?:of\s*|:\s*|is\s*|=\s*)?{re.escape(v)}(?![a-z0-9])", text):
        return True
    letter = _LETTER_SIZES.get(v)  # "an M in the same blue", "in XL"
    return letter is not None and _is_size(key) and letter.search(text) is not None


# --- ordered option values -----------------------------------------------------------------

# Letter and word sizes share one scale: "S" and "small" are the same step.
_SIZE_SCALE: dict[str, int] = {
    "xxs": 0,
    "2xs": 0,
    "xs": 1,
    "x-small": 1,
    "extra small": 1,
    "s": 2,
    "small": 2,
    "m": 3,
    "medium": 3,
    "l": 4,
    "large": 4,
    "xl": 5,
    "x-large": 5,
    "extra large": 5,
    "xxl": 6,
    "2xl": 6,
    "xx-large": 6,
    "xxxl": 7,
    "3xl": 7,
    "xxx-large": 7,
}
_LEVEL_SCALE: dict[str, int] = {"low": 0, "medium": 1, "high": 2}
_PAPER = re.compile(r"a(\d{1,2})")  # ISO paper sizes: A4 is larger than A5
# A number, its unit and words after it: "9", "500ml", "13-inch", "2 cups", "1TB SSD".
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*([a-z%\"]+)?(?:\s+([a-z][a-z ]*))?")
# Units of one kind on one scale, so "1L" orders above "750ml".
_UNITS: dict[str, tuple[str, Decimal]] = {
    "ml": ("volume", Decimal(1)),
    "l": ("volume", Decimal(1000)),
    "liter": ("volume", Decimal(1000)),
    "liters": ("volume", Decimal(1000)),
    "litre": ("volume", Decimal(1000)),
    "litres": ("volume", Decimal(1000)),
    "mm": ("length", Decimal(1)),
    "cm": ("length", Decimal(10)),
    "in": ("length", Decimal("25.4")),
    "inch": ("length", Decimal("25.4")),
    "inches": ("length", Decimal("25.4")),
    '"': ("length", Decimal("25.4")),
    "ft": ("length", Decimal("304.8")),
    "foot": ("length", Decimal("304.8")),
    "feet": ("length", Decimal("304.8")),
    "mb": ("data", Decimal("0.001")),
    "gb": ("data", Decimal(1)),
    "tb": ("data", Decimal(1000)),
}

_Rank = tuple[str, Decimal]


def _scale_rank(scale: Mapping[str, int], kind: str) -> Callable[[str], _Rank | None]:
    def rank(value: str) -> _Rank | None:
        step = scale.get(value)
        return None if step is None else (kind, Decimal(step))

    return rank


def _paper_rank(value: str) -> _Rank | None:
    match = _PAPER.fullmatch(value)
    return None if match is None else ("paper", -Decimal(match.group(1)))


def _quantity_rank(value: str) -> _Rank | None:
    match = _QUANTITY.fullmatch(value)
    if match is None:
        return None
    unit, words = match.group(2) or "", match.group(3) or ""
    if unit not in _UNITS and len(unit) > 2 and unit.endswith("s"):
        unit = unit[:-1]  # "2 cups" and "1 cup", "10 hours" and "4 hour"
    kind, factor = _UNITS.get(unit, (unit, Decimal(1)))
    return f"{kind} {words.strip()}", Decimal(match.group(1)) * factor


# A quantity the customer writes in a unit of a known kind: "1 litre", "1.5L", "750 ml".
# (Never a bare "in": "2 in the box" is no length.)
_QUANTITY_SAID = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?\s*(ml|l|liters?|litres?|mm|cm|inch|inches|ft|foot|feet|"
    r"mb|gb|tb)(?![a-z])"
)


def _same_quantity_named(text: str, value: str) -> bool:
    """Whether the text names the quantity an option value holds in a unit of the same kind
    ("1 litre" is "1000ml", "1TB" is "1000gb"); only a value that is a quantity alone."""
    match = _QUANTITY.fullmatch(value)
    if match is None or match.group(3) or (match.group(2) or "") not in _UNITS:
        return False
    kind, factor = _UNITS[match.group(2)]
    wanted = Decimal(match.group(1)) * factor
    for said in _QUANTITY_SAID.finditer(text):
        unit_kind, unit_factor = _UNITS[said.group(2)]
        if unit_kind == kind and Decimal(said.group(1)) * unit_factor == wanted:
            return True
    return False


_RANKS = (
    _scale_rank(_SIZE_SCALE, "size"),
    _scale_rank(_LEVEL_SCALE, "level"),
    _paper_rank,
    _quantity_rank,
)


def ordered_values(values: Collection[str]) -> list[str] | None:
    """The distinct values smallest first, when they all lie on one scale; else None.

    The scales: letter and word sizes (XS < S < M < L < XL < XXL, "small" < "medium"
    < "large"), low < medium < high, paper sizes (A6 < A5 < A4), and quantities of one
    kind ("8" < "9" < "10", "500ml" < "1L", "13-inch" < "15-inch", "256GB SSD" <
    "1TB SSD"). Values of mixed kinds ("1080p", "4K"), a value off the scale ("large",
    "portable"), or two values on one step ("1L", "1000ml") do not order.
    """
    distinct = sorted(set(values))
    for rank in _RANKS:
        ranks = [rank(value.strip().lower()) for value in distinct]
        known = [r for r in ranks if r is not None]
        if len(known) < len(ranks) or len({kind for kind, _ in known}) != 1:
            continue
        steps = [step for _, step in known]
        if len(set(steps)) < len(steps):
            return None
        return [value for _, value in sorted(zip(steps, distinct, strict=True))]
    return None


# --- relative wishes -----------------------------------------------------------------------


@dataclass(frozen=True)
class RelativeWish:
    """A wish for the next value of one ordered option: one step up (+1) or down (-1).

    `option` is None when the words cannot be pinned to a single option of the
    product, or ask for something other than one step: the wish is there, but unclear.
    """

    option: str | None
    step: int


def _is_size(key: str) -> bool:
    return key == "size" or key.endswith(" size") or key in ("capacity", "diameter")


# Comparatives, their direction, and which options they speak of when the words after
# them name none. "more", "higher", "less", "fewer" and "lower" are a wish only when
# an option's name follows ("more storage"): "more information" and "a lower price" are not.
_COMPARATIVES: dict[str, tuple[int, Callable[[str], bool] | None]] = {
    "bigger": (1, _is_size),
    "larger": (1, _is_size),
    "smaller": (-1, _is_size),
    "longer": (1, lambda key: key == "length"),
    "shorter": (-1, lambda key: key in ("length", "height")),
    "taller": (1, lambda key: key == "height"),
    "thicker": (1, lambda key: key == "thickness"),
    "thinner": (-1, lambda key: key == "thickness"),
    "more": (1, None),
    "higher": (1, None),
    "less": (-1, None),
    "fewer": (-1, None),
    "lower": (-1, None),
}
_COMPARATIVE = re.compile(rf"\b({'|'.join(_COMPARATIVES)})\b")
# "a size up", "one size down", "go up a size", "down one size" ("two sizes up" is unclear).
_SIZE_STEP = re.compile(
    r"\bsizes?\s+(up|down)\b|\b(up|down)\s+(?:a|one|1|two|2|three|3)\s+sizes?\b"
)
# More than one step, which is not ours to pick: "two sizes up", "much bigger".
_SEVERAL_STEPS = re.compile(
    r"\b(?:two|three|four|2|3|4|several|couple of)\s+sizes\b"
    rf"|\b(?:much|way|far|a lot|lots)\s+(?:{'|'.join(_COMPARATIVES)})\b"
)
_NEGATION = re.compile(r"\b(?:not|no|never|dont|doesnt|didnt)\b|n['’]t\b")
_CLAUSE_END = re.compile(r"[.,;:!?]|\bbut\b")
# Words after a comparative that leave it speaking of the item itself ("a bigger one").
_PLAIN_FOLLOWERS = frozenset(
    """
    one ones pair pairs version model variant item option than please instead for in with
    and or if so because then now thanks thank
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _option_aliases(key: str) -> set[str]:
    """What a customer calls an option: its name, and "screen" for "screen size"."""
    lowered = key.lower()
    aliases = {lowered}
    if lowered.endswith(" size"):
        aliases.add(lowered.removesuffix(" size"))
    return aliases


def _starts_with(rest: str, phrase: str) -> bool:
    return re.match(rf"[\s-]+(?:the\s+)?{re.escape(phrase)}(?:s|es)?(?![a-z0-9])", rest) is not None


def _options_meant(
    rest: str,
    keys: Sequence[str],
    sense: Callable[[str], bool] | None,
    product: Collection[str],
) -> set[str] | None:
    """The options a comparative speaks of, read from the words after it (`rest`).

    An option named right after it is the one; "size" means the product's size; a word
    like "one", the product's own name or the end of the clause leaves the comparative's
    own sense. Any other word ("a smaller refund") means it is not about the item: None.
    """
    by_alias = sorted(
        ((alias, key) for key in keys for alias in _option_aliases(key)),
        key=lambda pair: -len(pair[0]),
    )
    for alias, key in by_alias:
        if _starts_with(rest, alias):
            return {key}
    if _starts_with(rest, "size"):
        return {key for key in keys if _is_size(key)}
    if sense is None:
        return None
    follower = re.match(r"[\s-]*([a-z0-9]*)", rest)
    word = follower.group(1) if follower else ""
    if not word or word in _PLAIN_FOLLOWERS or any(_starts_with(rest, p) for p in product):
        return {key for key in keys if sense(key)}
    return None


def _negated(text: str, start: int) -> bool:
    """Whether a negation comes shortly before `start` in the same clause."""
    before = _CLAUSE_END.split(text[:start])[-1]
    return _NEGATION.search(" ".join(before.split()[-4:])) is not None


def relative_wish(
    text: str, options: Collection[str], product: Collection[str] = ()
) -> RelativeWish | None:
    """The customer's wish for the next bigger or smaller value of one option, if any.

    "bigger", "larger", "smaller", "a size up", "one size down" speak of the product's
    size: an option called size ("size", "screen size", "frame size"), capacity or
    diameter; "longer", "shorter", "taller", "thicker", "thinner" of length, height
    and thickness; any comparative with an option's name after it of that option ("the
    larger capacity one", "more storage"). `options` are the product's option names,
    `product` the words for the product itself ("a bigger pet bed"). None when the
    text wishes nothing relative; a wish with no `option` when it is unclear: two
    options could be meant, none of the product's fits, the words disagree or are
    negated, or they ask for more than one step.
    """
    lowered = text.lower()
    keys = list(options)
    wishes: set[tuple[int, frozenset[str]]] = set()
    negated = False
    for match in _COMPARATIVE.finditer(lowered):
        direction, sense = _COMPARATIVES[match.group(1)]
        meant = _options_meant(lowered[match.end() :], keys, sense, product)
        if meant is not None:
            wishes.add((direction, frozenset(meant)))
            negated = negated or _negated(lowered, match.start())
    for match in _SIZE_STEP.finditer(lowered):
        direction = 1 if "up" in match.groups() else -1
        sized = [key for key in keys if key == "size"] or [key for key in keys if _is_size(key)]
        wishes.add((direction, frozenset(sized)))
        negated = negated or _negated(lowered, match.start())
    if not wishes:
        return None
    if negated or len(wishes) > 1 or _SEVERAL_STEPS.search(lowered):
        return RelativeWish(option=None, step=0)
    direction, options_meant = wishes.pop()
    if len(options_meant) != 1:
        return RelativeWish(option=None, step=0)
    return RelativeWish(option=next(iter(options_meant)), step=direction)


def _stepped_value(
    line: OrderLine, variants: Sequence[Variant], wish: RelativeWish, named: str | None
) -> str | None:
    """The value the wish moves the line's option to, or None where it cannot.

    The step is along every value the product has for the option, so "a size up" from
    9 is 10 even when 10 is sold out in the line's colour (and the customer is asked).
    A value the customer also named outright must lie in the wished direction.
    """
    key = wish.option
    if key is None:
        return None
    here = line.options[key]
    ladder = ordered_values([here, *(v.options[key] for v in variants if key in v.options)])
    if ladder is None:
        return named  # the value named outright is the wish; there is no order to check
    position = ladder.index(here)
    if named is not None:
        ahead = named in ladder and (ladder.index(named) - position) * wish.step > 0
        return named if ahead else None
    target = position + wish.step
    return ladder[target] if 0 <= target < len(ladder) else None


# --- the variant a customer asks for -------------------------------------------------------


# "The same one", "a new one", "a replacement": the very version the customer has.
_SAME_VERSION = re.compile(
    r"\b(?:(?:the )?same (?:one|model|version|kind|item|thing|product)|same again|"
    r"(?:an )?identical (?:one|pair|item|replacement)|(?:a |an )?replacement|"
    r"(?:a )?(?:brand[- ])?new one|another one(?: just)? like it)\b",
    re.IGNORECASE,
)


def same_version_wanted(line: OrderLine, variants: Sequence[Variant], text: str) -> bool:
    """Whether the customer wants the version they have again (a replacement), and names
    no other value of its options ("two identical tees … for an M" wants an M)."""
    if _SAME_VERSION.search(text) is None:
        return False
    named = requested_options(text, [*variants, *_as_variants(line)], line.options)
    return all(line.options.get(key) == value for key, value in named.items())


def choose_variant(line: OrderLine, variants: Sequence[Variant], text: str) -> Variant | None:
    """The one available variant of the line's product that the text asks for, or None.

    Every option the customer names must match; options they do not name stay as they
    are on the line where possible. A relative wish ("a size up", "a smaller one", "the
    larger capacity") moves its option one step along the product's ordered values and
    keeps every other option as it is on the line (or as named), and the variant it lands
    on must exist and be available. The line's own variant is never the answer, and an
    ambiguous or unclear request is not resolved by guessing.
    """
    own = [v for v in variants if v.product_id == line.product_id]
    candidates = [v for v in own if v.available and v.item_id != line.item_id]
    text = KEPT_ONE.sub(" ", text.lower())  # "the black one is fine" asks for no black
    # Values named are read against every variant, sold out or not, so "rose gold"
    # is never read as "gold" and "size 8, a size up" is not read as a size up.
    named = requested_options(text, [*own, *_as_variants(line)], line.options)
    wanted = {k: v for k, v in named.items() if line.options.get(k) != v}
    # What they name as it is now stays so, first of all: "a black one, same size L".
    same = {k: v for k, v in named.items() if line.options.get(k) == v}
    wish = relative_wish(text, list(line.options), product_phrases(line.name))
    if wish is not None:
        value = _stepped_value(line, own, wish, wanted.get(wish.option or ""))
        if wish.option is None or value is None:
            return None
        if wish.option not in wanted:
            target = {**line.options, **wanted, wish.option: value}
            exact = [v for v in candidates if v.options == target]
            return exact[0] if len(exact) == 1 else None
    if not wanted:
        return None
    matching = [v for v in candidates if all(v.options.get(k) == w for k, w in wanted.items())]
    if not matching:
        return None
    # What they name as it is now never changes: "the same white one in a medium" is white.
    matching = [v for v in matching if all(v.options.get(k) == w for k, w in same.items())]
    if not matching:
        return None

    def kept(v: Variant) -> int:
        return sum(
            1 for k, value in line.options.items() if k not in wanted and v.options.get(k) == value
        )

    best = max(kept(v) for v in matching)
    chosen = [v for v in matching if kept(v) == best]
    return chosen[0] if len(chosen) == 1 else None


def sold_out_asked(line: OrderLine, variants: Sequence[Variant], text: str) -> Variant | None:
    """The one sold-out variant the text asks for ("a size up" from a 9 when the 10 is sold
    out), read as `choose_variant` reads it with every variant in stock; None when the text
    asks for an available one, for none, or unclearly."""
    in_stock = [v.model_copy(update={"available": True}) for v in variants]
    asked = choose_variant(line, in_stock, text)
    if asked is None:
        return None
    return next((v for v in variants if v.item_id == asked.item_id and not v.available), None)


def _as_variants(line: OrderLine) -> list[Variant]:
    return [
        Variant(
            item_id=line.item_id,
            product_id=line.product_id,
            options=line.options,
            price=line.price,
            available=False,
        )
    ]


# --- addresses -----------------------------------------------------------------------------

_STREET = (
    r"street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|"
    r"terrace|ter|parkway|pkwy|circle|cir|highway|hwy|square|sq|trail|trl"
)
# "Eastlake Avenue East", "Main St NW": a direction after the street's kind.
_DIRECTION = r"north|south|east|west|northeast|northwest|southeast|southwest|n|s|e|w|ne|nw|se|sw"
_COMPASS = frozenset({"ne", "nw", "se", "sw"})
_ADDRESS = re.compile(
    rf"(?P<address1>\b\d{{1,6}}\s+(?:[A-Za-z0-9.'-]+\s+){{0,4}}?(?:{_STREET})\b\.?"
    rf"(?:\s+(?:{_DIRECTION})\b\.?)?)"
    r"(?:\s*,?\s*(?P<address2>(?:apt|apartment|suite|ste|unit|#)\.?\s*[A-Za-z0-9-]+))?"
    r"\s*,\s*(?P<city>[A-Za-z][A-Za-z .'-]{1,40}?)\s*,?\s+"
    r"(?P<state>[A-Z]{2})\s*,?\s+(?P<zip>\d{5})(?:-\d{4})?\b",
    re.IGNORECASE,
)


# A street with no kind after its name ("245 Prospect Park West", "1 Broadway"), read only
# when its name is capitalised and a comma closes it before the city.
_NAMED_STREET = re.compile(
    r"(?P<address1>\b\d{1,6}\s+(?-i:[A-Z])[A-Za-z0-9.'-]*(?:\s+[A-Za-z0-9.'-]+){0,4}?)\s*,"
    r"(?:\s*(?P<address2>(?:apt|apartment|suite|ste|unit|#)\.?\s*[A-Za-z0-9-]+)\s*,)?"
    r"\s*(?P<city>[A-Za-z][A-Za-z .'-]{1,40}?)\s*,?\s+"
    r"(?P<state>[A-Z]{2})\s*,?\s+(?P<zip>\d{5})(?:-\d{4})?\b",
    re.IGNORECASE,
)


def parse_address(text: str, country: str = "USA") -> Address | None:
    """A full street address in the text ("12 Elm Street, Apt 4, Boston, MA 02110"), or None."""
    match = _ADDRESS.search(text) or _NAMED_STREET.search(text)
    if match is None:
        return None
    address2 = match.group("address2") or ""
    return Address(
        address1=" ".join(
            w.upper() if w.lower() in _COMPASS else w
            for w in match.group("address1").rstrip(".").title().split()
        ),
        address2=" ".join(address2.split()).title(),
        city=" ".join(match.group("city").split()).title(),
        state=match.group("state").upper(),
        country=country,
        zip=match.group("zip"),
    )
