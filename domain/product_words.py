"""The words customers use for the shop's products, and their spelling-free keys.

A product is named by its own name or a tail of it ("the speaker" for a Bluetooth
Speaker), or by a word customers use for its kind (`_LEXICON`: "earbuds" and "airpods"
for headphones, "hoover" for a vacuum cleaner, "tee" for a T-Shirt). Words are compared
by key: their Snowball stems run together, so plurals, hyphens and spaces do not matter
("T-shirts", "tshirt" and "t shirt" are one key). The lexicon covers every product of
the demo shop and of the τ²-retail catalogue; a product outside it is still named by
its own name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@cache
def stem(word: str) -> str:
    word = re.sub(r"['’]s$", "", word)
    return str(_STEMMER.stemWord(word))


def key_of(phrase: str) -> str:
    """A phrase's spelling-free key: its words' stems run together ("T-shirts" → "tshirt")."""
    return "".join(stem(w) for w in TOKEN.findall(phrase.lower()))


# Words customers use for a product, one group per kind of product. A line belongs to
# every group that holds its name or one of its name's words, and then answers to all
# of the group's words (the marks "~" and "?" are explained at `_groups`).
_LEXICON: tuple[tuple[str, ...], ...] = (
    (
        "headphones",
        "headphone",
        "earbuds",
        "earbud",
        "ear buds",
        "earphones",
        "headset",
        "airpods",
        "earpods",
        "~buds",
    ),
    ("speaker", "bluetooth speaker", "wireless speaker", "boombox"),
    ("vacuum", "vacuum cleaner", "hoover", "~vac", "roomba"),
    ("purifier", "air purifier", "air cleaner", "air filter"),
    ("laptop", "?notebook", "~computer", "macbook", "~pc"),
    ("notebook", "notepad", "~journal"),
    ("smartphone", "~phone", "cellphone", "cell phone", "mobile phone", "iphone", "android"),
    ("tablet", "ipad"),
    ("e-reader", "ereader", "kindle", "ebook reader"),
    ("shoes", "running shoes", "sneakers", "trainers", "~runners", "~kicks"),
    ("boots", "hiking boots", "hiking shoes"),
    ("t-shirt", "tshirt", "t shirt", "tee", "tee shirt", "shirt"),
    ("jacket", "?fleece", "coat", "fleece jacket"),
    ("bottle", "water bottle", "flask"),
    ("kettle", "electric kettle", "tea kettle"),
    ("coffee maker", "coffee machine", "espresso machine", "espresso maker", "~?coffee"),
    ("~watch", "smartwatch", "smart watch", "wristwatch"),
    ("bicycle", "bike", "mountain bike", "road bike", "~?cycle"),
    ("helmet", "cycling helmet", "bike helmet"),
    ("yoga mat", "exercise mat", "~mat"),
    ("toothbrush", "tooth brush", "electric toothbrush"),
    ("mouse", "gaming mouse"),
    ("keyboard", "mechanical keyboard"),
    ("charger", "portable charger", "power bank", "battery pack"),
    ("camera", "action camera", "gopro", "digital camera", "security camera", "webcam", "~cam"),
    ("thermostat", "smart thermostat", "~?nest"),
    ("clock", "wall clock"),
    ("dumbbells", "dumbbell", "dumbbell set", "~weights"),
    ("pet bed", "dog bed", "cat bed", "~?bed"),
    ("light bulb", "lightbulb", "bulb", "led bulb", "smart bulb"),
    ("bookshelf", "bookcase", "book shelf", "~shelf", "~shelves"),
    ("office chair", "desk chair", "chair"),
    ("desk lamp", "lamp", "reading lamp"),
    ("sunglasses", "shades", "sunnies", "~?glasses"),
    ("perfume", "fragrance", "cologne", "~?scent"),
    ("makeup", "make-up", "makeup kit", "cosmetics"),
    ("skateboard", "skate board", "~?board"),
    ("jigsaw puzzle", "jigsaw", "puzzle"),
    ("grill", "bbq", "barbecue", "barbeque"),
    ("patio umbrella", "umbrella", "parasol"),
    ("luggage", "luggage set", "suitcase", "suitcases"),
    ("backpack", "rucksack", "knapsack", "~?bag"),
    ("garden hose", "hose"),
    ("coffee mug", "mug", "~?cup"),
)
# Name words too general to name a product on their own ("the set").
GENERIC = frozenset({"set", "kit", "pack"})


@dataclass(frozen=True)
class _Group:
    keys: frozenset[str]  # every word customers use for the kind of product
    members: frozenset[str]  # the words a product's name holds to be of this kind
    strong: frozenset[str]  # the words that say a product is meant, on the order or not


def _groups() -> tuple[_Group, ...]:
    """The lexicon's groups. A word marked "~" is ordinary English too ("bed", "watch"):
    it finds a line on the order but never says a product is missing from it. A word
    marked "?" is a customer's word only: a product named so ("Notebook") is not of
    the kind ("laptop")."""
    groups = []
    for words in _LEXICON:
        keys, members, strong = set(), set(), set()
        for word in words:
            key = key_of(word.lstrip("~?"))
            keys.add(key)
            if "?" not in word:
                members.add(key)
            if "~" not in word:
                strong.add(key)
        groups.append(_Group(frozenset(keys), frozenset(members), frozenset(strong)))
    return tuple(groups)


_GROUPS = _groups()
PRODUCT_WORDS = frozenset(k for g in _GROUPS for k in g.strong)


def own_keys(name: str) -> frozenset[str]:
    """The keys of a product's own name: the whole name and each tail of it ("speaker")."""
    words = TOKEN.findall(name.lower())
    keys = {"".join(stem(w) for w in words[i:]) for i in range(len(words))}
    return frozenset(k for k in keys if k and k not in GENERIC and len(k) >= 3)


def customer_words(name: str) -> frozenset[str]:
    """The words customers use for the product called `name`, as written ("earbuds" for
    Wireless Headphones); ordinary English words ("bed", "watch") are left out."""
    words = [stem(w) for w in TOKEN.findall(name.lower())]
    parts = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
    found: set[str] = set()
    for group, spellings in zip(_GROUPS, _LEXICON, strict=True):
        if (parts - GENERIC) & group.members:
            found.update(w for w in spellings if "~" not in w and "?" not in w)
    return frozenset(found)


def alias_keys(name: str) -> frozenset[str]:
    """The keys of the words customers use for the product called `name` ("earbud")."""
    words = [stem(w) for w in TOKEN.findall(name.lower())]
    parts = {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
    parts -= GENERIC
    found: set[str] = set()
    for group in _GROUPS:
        if parts & group.members:
            found |= group.keys
    return frozenset(found | own_keys(name))


# "The black one is fine", "the big silver one stays", "keeping the 2L one", "the red M is
# staying": an item the customer keeps, named by its options (the one group that matched).
KEPT_ONE = re.compile(
    r"\b(?:the|my) ((?:[a-z0-9-]+ ){1,3})ones? (?:is|are|was|can|will)?\s*(?:\w+ ){0,3}?"
    r"(?:fine|ok|okay|good|great|perfect|lovely|stays?)\b|"
    r"\bkeep(?:ing)? the ((?:[a-z0-9-]+ ){1,3})ones?\b|"
    # "the red M is staying with me", "the 1L stays": options alone, and that they stay
    r"\b(?:the|my) ((?:[a-z0-9-]+ ){0,2}[a-z0-9-]+) (?:is staying|are staying|stays|"
    r"can stay|is fine|are fine|is ok|are ok)\b"
)

# Misspellings of option values too short for `domain.items` to correct by distance (it
# corrects only words of five letters or more, since "back" must never become "black").
OPTION_TYPOS = {
    "blak": "black", "blck": "black", "wite": "white", "whte": "white", "gren": "green",
    "glas": "glass", "pnik": "pink",
    # British spellings of the catalog's American ones
    "litre": "liter", "litres": "liters", "metre": "meter", "metres": "meters",
    "grey": "gray",
}  # fmt: skip
