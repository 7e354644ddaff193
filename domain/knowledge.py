"""The shop's knowledge base as values: articles, their passages, and what to answer from them.

An article is a Markdown document with a title (YAML front matter `title:` or a first
line `# Title`) and sections (`## Heading`). Each section is a passage: the unit the
store indexes and the turn answers from. Articles name the policy's numbers as
placeholders (`{{ return_window_days }}`), filled from `domain.policy` when indexed,
so what customers read and what the rules enforce is one number.

Pure: text in, values out. The full-text search itself lives in `store.knowledge`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

import frontmatter
import pycountry
import Stemmer
import yaml

from domain.errors import ConfigError

#: A slug names an article and its file (`<slug>.md`): lower-case words joined by hyphens.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_CHARS = 80
MAX_TITLE_CHARS = 200
MAX_ARTICLE_CHARS = 50_000
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_TITLE_LINE = re.compile(r"^#\s+(.+?)\s*#*\s*$")


class InvalidArticle(ConfigError):
    """An article that cannot be indexed: no title, a bad slug, an unknown placeholder."""

    code = "invalid_article"


@dataclass(frozen=True)
class Section:
    heading: str
    body: str


@dataclass(frozen=True)
class Article:
    """One article as written: `body` keeps its placeholders."""

    slug: str
    title: str
    body: str

    def sections(self) -> list[Section]:
        """The intro (headed by the title) and each `##` section, empty ones left out."""
        found: list[Section] = []
        heading = self.title
        lines: list[str] = []
        for line in self.body.splitlines():
            match = _HEADING.match(line)
            if match:
                found.append(Section(heading, "\n".join(lines).strip()))
                heading, lines = match.group(1), []
            else:
                lines.append(line)
        found.append(Section(heading, "\n".join(lines).strip()))
        return [s for s in found if s.body]

    def to_markdown(self) -> str:
        """The file an admin edits: front matter with the title, then the body."""
        title = yaml.safe_dump({"title": self.title}, allow_unicode=True, width=1000).strip()
        return f"---\n{title}\n---\n{self.body.strip()}\n"


@dataclass(frozen=True)
class Passage:
    """A section of an article, placeholders filled, with how well it matched a question."""

    slug: str
    title: str
    heading: str
    text: str
    score: float
    #: The share of the question's topic words the passage holds (`coverage`).
    coverage: float = 1.0
    #: How many of the message's questions it answers: two for `both_passages`.
    answers: int = 1

    @property
    def citation(self) -> str:
        return self.title if self.heading == self.title else f"{self.title} — {self.heading}"


def check_slug(slug: str) -> str:
    if len(slug) > MAX_SLUG_CHARS or not SLUG.match(slug):
        raise InvalidArticle(
            f"the slug {slug[:MAX_SLUG_CHARS]!r} must be lower-case letters, digits and "
            f"hyphens (at most {MAX_SLUG_CHARS} characters), e.g. 'return-window'"
        )
    return slug


def make_article(slug: str, title: str, body: str) -> Article:
    """An article from its parts, checked as an admin's form is."""
    title = " ".join(title.split())
    if not title:
        raise InvalidArticle("an article needs a title")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidArticle(f"a title has at most {MAX_TITLE_CHARS} characters")
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise InvalidArticle("an article needs some text")
    if len(body) > MAX_ARTICLE_CHARS:
        raise InvalidArticle(f"an article has at most {MAX_ARTICLE_CHARS} characters")
    return Article(check_slug(slug), title, body)


def parse_article(slug: str, text: str) -> Article:
    """An article from its Markdown file: front matter `title:`, else a first line `# Title`."""
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise InvalidArticle(f"{slug}: the front matter is not valid YAML: {exc}") from exc
    title = post.metadata.get("title")
    body = post.content
    if not isinstance(title, str) or not title.strip():
        first, _, rest = body.lstrip().partition("\n")
        match = _TITLE_LINE.match(first)
        if match is None:
            raise InvalidArticle(
                f"{slug}: no title (front matter 'title:' or a first line '# Title')"
            )
        title, body = match.group(1), rest
    return make_article(slug, title, body)


def placeholders_in(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """`text` with every `{{ name }}` replaced; an unknown name is an error, never left in."""
    unknown = sorted(placeholders_in(text) - values.keys())
    if unknown:
        raise InvalidArticle(
            "unknown placeholder(s) "
            + ", ".join("{{ " + u + " }}" for u in unknown)
            + "; known: "
            + ", ".join(sorted(values))
        )
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# --- the question ------------------------------------------------------------------

# Words that carry no topic. The engines drop their own stop words too; these are the
# ones customers add around a question ("hi, can you tell me please …").
_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "don",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "u",
        "ur",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "whats",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "ok",
        "okay",
        "want",
        "need",
        "like",
        "know",
        "tell",
        "im",
        "ive",
        "id",
        "dont",
        "cant",
        "wont",
        "isnt",
        "still",
        "really",
        "just",
        "help",
        "anyone",
        "someone",
        "something",
        "thing",
        "things",
        "good",
        "morning",
        "afternoon",
        "evening",
        "day",
        "guys",
        "sir",
        "madam",
        "dear",
        "regards",
        "cheers",
        # how customers hedge a question: "roughly how long", "usually takes"
        "roughly",
        "approximately",
        "approx",
        "usually",
        "typically",
        "normally",
        "generally",
        "based",
        # filler: "r u an actual shop", "can I even", "my stuff"
        "actual",
        "actually",
        "even",
        "literally",
        "basically",
        "stuff",
        # sighs and chat shorthand: "ugh the site wont let me … b4 trying again"
        "ugh",
        "argh",
        "lol",
        "b4",
        "says",
        "let",
    ]
)

#: Customers' words for what the articles call otherwise; the article's word is added.
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "send": ("return",),
    "back": ("return",),
    "money": ("refund",),
    "reimburse": ("refund",),
    "reimbursement": ("refund",),
    "deliver": ("shipping",),
    "delivery": ("shipping",),
    "postage": ("shipping",),
    "parcel": ("shipping",),
    "package": ("shipping",),
    "arrive": ("delivery",),
    "abroad": ("international",),
    "overseas": ("international",),
    "internationally": ("international",),
    "country": ("countries",),
    "swap": ("exchange",),
    "pay": ("payment",),
    "paying": ("payment",),
    "amex": ("american", "express"),
    "mc": ("mastercard",),
    "giftcard": ("gift",),
    "login": ("sign", "password"),
    "failed": ("wrong",),
    "attempts": ("password",),
    "log": ("sign",),
    "pw": ("password",),
    "guarantee": ("warranty",),
    "defective": ("faulty",),
    "damaged": ("broken", "faulty"),
    "covered": ("warranty",),
    "open": ("hours",),
    "phone": ("contact",),
    "call": ("phone",),
    "human": ("person",),
    "agent": ("person",),
    "store": ("shop",),
    "color": ("colour",),
}

_WORD = re.compile(r"[a-z0-9]+")
#: A place named in a question is about where the shop ships: the articles' words for it.
_COUNTRY_TERMS = ("countries", "international")
_US_STATE_TERMS = ("states",)
_PLACE_ALIASES = {"uk": "united kingdom", "usa": "united states", "america": "united states"}


@cache
def _countries() -> dict[str, str]:
    """Country names, lower-cased, with their alpha-2 codes (never the codes as names: "in",
    "no", "it" are words)."""
    return {
        name.lower(): country.alpha_2
        for country in pycountry.countries
        for attribute in ("name", "common_name", "official_name")
        if (name := getattr(country, attribute, None))
    }


@cache
def _us_states() -> tuple[str, ...]:
    states = pycountry.subdivisions.get(country_code="US") or ()  # type: ignore[no-untyped-call]
    return tuple(state.name.lower() for state in states)


#: Cities of the time-zone database that are also everyday words or given names: "easter",
#: "christmas", "sofia" in a question are no place.
_NOT_CITIES = frozenset(
    {
        "christmas", "easter", "wake", "midway", "oral", "resolute", "regina", "sofia",
        "stanley", "darwin", "chatham", "canary", "cocos", "dawson", "jersey", "norfolk",
        "santiago", "lima", "nome", "thule", "creston", "center",
    }
)  # fmt: skip


@cache
def _cities() -> dict[str, str]:
    """The cities the time-zone database names ("America/Toronto" is in CA), lower-cased,
    with their countries' alpha-2 codes: a customer names the city more often than the
    country ("my sister lives in Toronto")."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    cities: dict[str, str] = {}
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _, zone = line.split("\t")[:3]
        region, _, place = zone.partition("/")
        name = place.rpartition("/")[2].replace("_", " ").replace("-", " ").lower()
        if region != "Antarctica" and name not in _NOT_CITIES:
            cities[name] = code
    return cities


@cache
def _places() -> dict[str, tuple[str, ...]]:
    """Country names, US states and cities, each with the articles' words for it (for a
    city abroad, its country's name alone: "what time is it in Tokyo?" asks nothing about
    where the shop ships)."""
    names = {c.alpha_2: getattr(c, "common_name", c.name).lower() for c in pycountry.countries}
    places: dict[str, tuple[str, ...]] = {
        city: _US_STATE_TERMS if code == _HOME else tuple(_WORD.findall(names[code]))
        for city, code in _cities().items()
        if code in names
    }
    places.update(dict.fromkeys(_countries(), _COUNTRY_TERMS))
    places.update(dict.fromkeys(_us_states(), _US_STATE_TERMS))
    for alias, name in _PLACE_ALIASES.items():
        places[alias] = places[name]
    return places


def _place_terms(words: Sequence[str]) -> tuple[list[str], set[int]]:
    """The articles' words for the places `words` name, and the positions of the words
    naming them."""
    places = _places()
    found: list[str] = []
    at: set[int] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            terms = places.get(" ".join(words[i : i + size]), ())
            if terms:
                found.extend(terms)
                at.update(range(i, i + size))
    return found, at


# --- where a question is about ---------------------------------------------------------

#: The European Union's member states (ISO 3166 alpha-2): an article that ships to "the
#: countries of the European Union" names each of them.
_EU = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip
_HOME = "US"
_PLACE_NAMES = {
    "england": "GB", "scotland": "GB", "wales": "GB", "britain": "GB", "great britain": "GB",
    "uk": "GB", "usa": _HOME, "america": _HOME, "united states": _HOME,
}  # fmt: skip
_ABROAD = re.compile(r"\b(?:international|abroad|other countries|countries)\b", re.IGNORECASE)
_US_MARK = re.compile(r"\bU\.?S\.?A?\b")  # capitals only: "us" is a pronoun
#: How much a passage about the place a question names gains, and one about another loses.
PLACE_WEIGHT = 0.1


@cache
def _place_codes() -> dict[str, str]:
    codes = dict(_cities())
    codes.update(_countries())
    codes.update(dict.fromkeys(_us_states(), _HOME))
    codes.update(_PLACE_NAMES)
    return codes


@lru_cache(maxsize=4096)  # each passage's text is read again for every question
def places_named(text: str) -> frozenset[str]:
    """The countries a text names (alpha-2 codes; a US state is the US, the European Union
    each of its members)."""
    codes = _place_codes()
    words = _WORD.findall(text.lower().replace("'", ""))
    found = {
        codes[" ".join(words[i : i + size])]
        for size in (3, 2, 1)
        for i in range(len(words) - size + 1)
        if " ".join(words[i : i + size]) in codes
    }
    if _US_MARK.search(text):
        found.add(_HOME)
    if re.search(r"\beuropean union\b|\bEU\b", text, re.IGNORECASE):
        found |= _EU
    return frozenset(found)


def place_fit(question: str, passage: Passage) -> float:
    """How a passage's places fit the question's: `PLACE_WEIGHT` for one about the place
    asked about (or about abroad in general, for a place abroad), minus that for one about
    other places only ("How long does delivery take in the US?" for a parcel to Australia);
    0 when the question names no place."""
    asked = places_named(question)
    if not asked:
        return 0.0
    text = f"{passage.heading}. {passage.text}"
    named = places_named(text)
    if asked & named or (asked - {_HOME} and _ABROAD.search(text)):
        return PLACE_WEIGHT
    return -PLACE_WEIGHT if named else 0.0


# --- what kind of answer a question wants ----------------------------------------------

# "How long …?", "how soon …?": a duration; "how much …?", "what does it cost?": an amount.
_ASKS_DURATION = re.compile(
    r"\bhow (?:long|many (?:days|weeks|months)|soon|quick(?:ly)?|fast)\b|\bhow much time\b|"
    r"\b(?:time ?frame|period|window|(?:transit|delivery|shipping) times?)\b",
    re.IGNORECASE,
)
_ASKS_AMOUNT = re.compile(
    r"\bhow much\b(?! time)|\b(?:cost|price) of\b|"
    r"\bwhat(?:'s| is| are| does| do| would)\b[^?.!]*\b(?:cost|price|fee|charge)s?\b",
    re.IGNORECASE,
)
_NUMBER_WORD = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|thirty|a|an)"
)
_DURATION = re.compile(
    rf"\b{_NUMBER_WORD}(?:\s*(?:to|-|–)\s*\d+)?[\s-]+(?:business |working )?"
    r"(?:minute|hour|day|week|month|year)s?\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"[$€£]\s?\d|\b\d+\.\d{2}\b|\bfree\b", re.IGNORECASE)
#: How much a passage stating the kind of answer a question wants gains in the ranking.
ANSWER_KIND_WEIGHT = 0.1


def answer_kind_fit(question: str, passage: Passage) -> float:
    """`ANSWER_KIND_WEIGHT` for a passage that states what the question asks for: a
    duration for "how long is the warranty?", an amount for "how much is express
    shipping?"; 0 otherwise, or when the question asks for neither."""
    wants = [
        found
        for asks, found in ((_ASKS_DURATION, _DURATION), (_ASKS_AMOUNT, _AMOUNT))
        if asks.search(question)
    ]
    text = f"{passage.heading}. {passage.text}"
    return ANSWER_KIND_WEIGHT if any(found.search(text) for found in wants) else 0.0


def asks_how_long_and_how_much(question: str) -> bool:
    """Whether a question asks both for a duration and an amount ("what is the charge and
    the usual transit time?")."""
    return bool(_ASKS_DURATION.search(question) and _ASKS_AMOUNT.search(question))


def duration_and_amount(
    question: str, passages: Sequence[Passage], ranked: Sequence[Passage] = ()
) -> tuple[Passage, Passage] | None:
    """For a question asking both how long and how much ("what is the charge and the usual
    transit time?"), the best passage stating a duration and the best stating an amount,
    best first, when no one passage states both; None otherwise. Both come from the
    answers found (`passages`, above the threshold) or, for the second, from the same
    article's passages further down the `ranked` list: the best answer's article is where
    the rest of the answer is."""
    if not passages or not asks_how_long_and_how_much(question):
        return None
    pool = [*passages, *(p for p in ranked if p.slug == passages[0].slug and p not in passages)]

    def stating(kind: re.Pattern[str]) -> Passage | None:
        return next((p for p in pool if kind.search(f"{p.heading}. {p.text}")), None)

    duration, amount = stating(_DURATION), stating(_AMOUNT)
    if duration is None or amount is None or duration == amount:
        return None
    if duration not in passages and amount not in passages:
        return None
    first = pool.index(duration) < pool.index(amount)
    return (duration, amount) if first else (amount, duration)


def question_groups(question: str, vocabulary: Sequence[str] | set[str] = ()) -> list[list[str]]:
    """The question's topic words, each with its alternatives: its typo correction against
    the articles' own words (`vocabulary`), the articles' word for it, and for a country or
    US state the articles' words for destinations."""
    vocab = set(vocabulary)
    pool = sorted(vocab)
    words = _WORD.findall(question.lower().replace("'", ""))
    places, place_words = _place_terms(words)
    groups: list[list[str]] = []
    for i, word in enumerate(words):
        if word in _STOP or len(word) < 2 or i in place_words:
            continue  # a place is one topic, its destination words, not each word of it
        group = [word]
        if vocab and word not in vocab and len(word) >= 4 and not word.isdigit():
            group += difflib.get_close_matches(word, pool, n=1, cutoff=0.8)
        for candidate in list(group):
            group += [s for s in SYNONYMS.get(candidate, ()) if s not in group]
        if group not in groups:
            groups.append(group)
    if places:
        # One topic: the place's own words ("canada") or the articles' for destinations.
        named = [words[i] for i in sorted(place_words) if words[i] not in _STOP]
        groups.append(list(dict.fromkeys([*named, *places])))
    return groups


def question_terms(question: str, vocabulary: Sequence[str] | set[str] = ()) -> list[str]:
    """Every word to search for (see `question_groups`), each once."""
    return list(dict.fromkeys(t for g in question_groups(question, vocabulary) for t in g))


_STEMMER = Stemmer.Stemmer("english")


def stems(text: str) -> set[str]:
    return set(_STEMMER.stemWords(_WORD.findall(text.lower().replace("'", ""))))


def coverage(groups: Sequence[Sequence[str]], passage: Passage) -> float:
    """The share of the question's topic words the passage (with its titles) answers to.

    A passage found through one common word of a long question ("recommend a pizza
    place") covers little of it: the engine's score alone does not show that.
    """
    if not groups:
        return 0.0
    held = stems(f"{passage.title} {passage.heading} {passage.text}")
    covered = sum(1 for g in groups if held & set(_STEMMER.stemWords(list(g))))
    return covered / len(groups)


# --- the two readings of a question, together -------------------------------------------

#: Whether the passage a question is answered from is right often enough to answer as
#: definitive (95 %). Measured on questions written before the search was tuned on
#: them: 74 of 93 answers from the right article (79.6 %; docs/brain.md, "Knowledge
#: base"), so every answer from an article is partial help, with a person offered.
ANSWERS_CLEARED = False

#: How much the full-text engine's ranking adds to a passage's meaning match (`fused_scores`).
LEXICAL_WEIGHT = 0.3
#: Below this fused score a passage is no answer. Chosen with `LEXICAL_WEIGHT` on the
#: development questions, the same on SQLite and PostgreSQL (docs/brain.md, "Knowledge base").
FUSED_THRESHOLD = 0.5
#: An answer must also hold a quarter of the question's topic words (`coverage`): at the
#: same share of right answers on the development questions, fewer unrelated questions
#: get an article and fewer get the wrong one; more are handed to a person instead.
FUSED_MIN_COVERAGE = 0.25


def fused_scores(meaning: Sequence[float], lexical: Sequence[float]) -> list[float]:
    """Each passage's answer score: how close its meaning is to the question's (the cosine
    of their sentence vectors), plus `LEXICAL_WEIGHT` times its full-text score relative
    to the best passage's for this question (0 where the engine found none of the words).

    The relative score makes one rule fit both engines, whose scores are on different
    scales; how near the meaning is decides whether anything answers at all.
    """
    top = max(lexical, default=0.0)
    return [
        m + (LEXICAL_WEIGHT * max(x, 0.0) / top if top > 0 else 0.0)
        for m, x in zip(meaning, lexical, strict=True)
    ]


# --- what to answer ------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


@dataclass(frozen=True)
class KnowledgeAnswer:
    """What the turn answers a general question with.

    `kind` "answer": say `text` and cite `citation` (the article's title, and the
    section); "no_match": say the articles do not answer it and offer a person.
    `passage` is what the reply may draw on (the grounding check's facts).
    """

    kind: Literal["answer", "no_match"]
    text: str = ""
    citation: str = ""
    slug: str = ""
    passage: Passage | None = None


NO_MATCH = KnowledgeAnswer("no_match")


def relevant_sentences(question: str, text: str, limit: int = 3) -> str:
    """The passage's sentences that share most words with the question, in their order.

    A short passage (up to `limit` sentences) is kept whole, so nothing is taken out of
    its context; a longer one keeps its first sentence when none matches.
    """
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]
    if len(sentences) <= limit:
        return " ".join(sentences)
    wanted = stems(" ".join(question_terms(question)))
    scored = [(len(wanted & stems(s)), -i, i) for i, s in enumerate(sentences)]
    best = sorted(scored, reverse=True)[:limit]
    chosen = sorted(i for hits, _, i in best if hits > 0) or [0]
    return " ".join(sentences[i] for i in chosen)


# Where a message starts its second question: after a question mark, or at ", and" / "and
# also" before a question word ("How long do I have left, and do I pay the postage?").
_NEXT_QUESTION = re.compile(
    r"\?\s+(?=\S)|,?\s+and\s+(?:also\s+)?(?=(?:do|does|did|is|are|can|could|will|would|"
    r"should|how|what|when|where|which|who|why)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> tuple[str, ...]:
    """The questions of a message that asks two, each with enough words to search for;
    the message alone when it asks one."""
    parts = [p.strip(" ,.") for p in _NEXT_QUESTION.split(question)]
    asked = [p for p in parts if len(_WORD.findall(p.lower())) >= 3]
    return tuple(asked[:2]) if len(asked) >= 2 else (question,)


def both_passages(first: Passage, second: Passage) -> Passage:
    """One passage answering a message's two questions from two sections: both texts, and
    both sections named, so the reply cites, and may state, what each holds."""
    if first.slug == second.slug:
        title, heading = first.title, f"{first.heading}; {second.heading}"
    else:
        title, heading = f"{first.citation}; {second.title}", second.heading
    return Passage(
        slug=first.slug,
        title=title,
        heading=heading,
        text=f"{first.text}\n\n{second.text}",
        score=min(first.score, second.score),
        coverage=min(first.coverage, second.coverage),
        answers=2,
    )


def answer_from_passages(question: str, passages: Sequence[Passage]) -> KnowledgeAnswer:
    """The best passage's most relevant sentences with its title cited, or no match.

    `passages` come from `KnowledgeBase.search`, best first and already above the
    engine's threshold: an empty list is "no match".
    """
    if not passages:
        return NO_MATCH
    best = passages[0]
    return KnowledgeAnswer(
        "answer",
        text=relevant_sentences(question, best.text, limit=3 * best.answers),
        citation=best.citation,
        slug=best.slug,
        passage=best,
    )


def word_knowledge_answer(answer: KnowledgeAnswer) -> str:
    """A plain reply for the offline brain: the answer and its source, or an honest no."""
    if answer.kind == "no_match":
        return (
            "I couldn't find that in our help articles, so I don't want to guess. "
            "A colleague from our support team can answer it: just say if you'd like a person."
        )
    return f"{answer.text}\n\n(From our help article “{answer.citation}”.)"
