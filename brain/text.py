"""How the offline brain reads a message's words: the features its classifier is trained on.

Before features are taken an email's greeting and signature are stripped, order ids,
emails and numbers become placeholders, texting shorthand and contractions are spelled
out and inflections reduced to one form; a word a negation covers counts as
`n:<word>`, so "I don't want to cancel" is not a cancellation. `word_features` gives
word lemmas and their bigrams within a clause; `char_features` the character n-grams
of content words padded at word boundaries. These are shop-specific readings no
library offers; the weighting (tf-idf) and the model are scikit-learn's at training
time, and `brain.classifier` applies the fitted weights at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """What shapes the features; part of the model's fingerprint."""

    char_min: int = 3
    char_max: int = 5
    negation_scope: int = 2  # content words after "not", "no", "never" marked as negated



_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ORDER = re.compile(r"#?\s?\bw\s?-?\d{7}\b|\border\s+(?:no\.?|number|#)?\s*\d{7}\b")
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(r"[a-z0-9]+|[!?.,;:]")
_BREAKS = frozenset("!?.,;:")


_GREETING_LINE = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening|day)|to whom)\b[^.?!]{0,40}[,:!]?\s*$",
    re.IGNORECASE,
)
_SIGN_OFF_LINE = re.compile(
    r"^\s*(kind regards|best regards|warm regards|regards|best|best wishes|thanks|thank you|"
    r"many thanks|thanks again|thanks a lot|thanks so much|with thanks|cheers|take care|"
    r"speak soon|sincerely|yours( sincerely| faithfully| truly)?|"
    r"all the best|sent from my \w+( \w+)?|--)\s*[,.!]?\s*$",
    re.IGNORECASE,
)


def strip_letter(text: str) -> str:
    """A message without the greeting line, the sign-off and the signature under it."""
    lines = text.splitlines()
    if len(lines) < 2:
        return text
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _GREETING_LINE.match(lines[0]):
        lines.pop(0)
    for i, line in enumerate(lines):
        if i > 0 and _SIGN_OFF_LINE.match(line):
            lines = lines[:i]
            break
    return "\n".join(lines).strip() or text


def normalise(text: str) -> str:
    """Lower case, accents and apostrophes gone, order ids and emails replaced by placeholders."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = _EMAIL.sub(" zemail ", text)
    text = _ORDER.sub(" order zorderid ", text)
    text = text.replace("'", "").replace("’", "")
    return _REPEAT.sub(r"\1\1", text)


def _table(groups: dict[str, str]) -> dict[str, str]:
    return {word: canonical for canonical, words in groups.items() for word in words.split()}


# Texting shorthand and contractions (their apostrophes already gone), spelled out.
_SPELLED_OUT: dict[str, tuple[str, ...]] = {
    short: tuple(full.split())
    for short, full in _table(
        {
            "you": "u ya yu",
            "your": "ur yr",
            "you are": "youre",
            "please": "plz pls plez plse pleez",
            "thanks": "thx thnx thanx tx ty",
            "order": "ordr odrer",
            "package": "pkg pckg",
            "right now": "rn",
            "before": "b4",
            "because": "bc cuz coz cos bcoz bcuz",
            "want to": "wanna",
            "going to": "gonna",
            "got to": "gotta",
            "i am": "im",
            "i have": "ive",
            "do not": "dont",
            "does not": "doesnt",
            "did not": "didnt",
            "can not": "cant cannot",
            "will not": "wont",
            "is not": "isnt",
            "are not": "arent",
            "was not": "wasnt",
            "were not": "werent",
            "has not": "hasnt",
            "have not": "havent",
            "had not": "hadnt",
            "should not": "shouldnt",
            "could not": "couldnt",
            "would not": "wouldnt",
            "not": "aint",
            "i do not know": "idk",
            "are": "r",
            "and": "n",
            "with": "w",
            "ok": "k kk okay okey",
            "tomorrow": "tmrw tmr tmrow",
            "today": "2day",
            "message": "msg",
            "never mind": "nvm",
            "through": "thru",
            "someone": "some1 sum1",
            "anyone": "any1",
            "everyone": "every1",
            "what": "wat wot",
            "should": "shud",
            "would": "wud",
            "could": "cud",
            "address": "addy",
            "people": "ppl",
            "about": "abt",
            "let me": "lemme",
            "give me": "gimme",
            "do not know": "dunno",
            "though": "tho",
            "week": "wk",
            "weeks": "wks",
            "hours": "hrs",
            "received": "rcvd recd",
            "account": "acct",
            "password": "pwd",
            "next": "nxt",
            "great": "gr8",
            "later": "l8r",
        }
    ).items()
}

# Inflections and spellings of the words requests turn on, reduced to one form.
_LEMMAS: dict[str, str] = _table(
    {
        "cancel": "cancels cancelled canceled cancelling canceling cancellation cancellations "
        "cancelation cancle cancell",
        "refund": "refunds refunded refunding refundable",
        "return": "returns returned returning returnable",
        "ship": "ships shipped shipping",
        "deliver": "delivers delivered delivering delivery deliveries",
        "arrive": "arrives arrived arriving arrival",
        "exchange": "exchanges exchanged exchanging",
        "order": "orders ordered ordering",
        "receive": "receives received receiving recieve recieved",
        "send": "sends sent sending",
        "buy": "buys bought buying",
        "purchase": "purchases purchased purchasing",
        "pay": "pays paid paying",
        "charge": "charges charged charging",
        "change": "changes changed changing",
        "track": "tracks tracked tracking",
        "want": "wants wanted wanting",
        "need": "needs needed needing",
        "swap": "swaps swapped swapping",
        "replace": "replaces replaced replacing replacement replacements",
        "reimburse": "reimburses reimbursed reimbursing reimbursement reimbursements",
        "credit": "credits credited crediting",
        "process": "processes processed processing",
        "dispatch": "dispatches dispatched dispatching",
        "talk": "talks talked talking",
        "speak": "speaks spoke speaking spoken",
        "person": "people persons",
        "colour": "color colours colors",
        "stop": "stops stopped stopping",
        "fit": "fits fitted fitting",
        "break": "breaks broke broken breaking",
        "damage": "damages damaged damaging",
        "move": "moves moved moving",
        "update": "updates updated updating",
        "modify": "modifies modified modifying modification",
        "switch": "switches switched switching",
        "complain": "complains complained complaining complaint complaints",
        "disappoint": "disappoints disappointed disappointing disappointment",
        "wait": "waits waited waiting",
        "take": "takes took taken taking",
        "give": "gives gave given giving",
        "get": "gets got gotten getting",
        "come": "comes came coming",
        "go": "goes went gone going",
        "use": "uses used using",
        "work": "works worked working",
        "expect": "expects expected expecting",
        "policy": "policies",
        "ask": "asks asked asking",
        "try": "tries tried trying",
        "plan": "plans planned planning",
        "mean": "means meant meaning",
        "reverse": "reverses reversed reversing reversal",
        "collect": "collects collected collecting",
        "withdraw": "withdraws withdrew withdrawn withdrawing withdrawal",
        "redirect": "redirects redirected redirecting",
        "reroute": "reroutes rerouted rerouting",
        "forward": "forwards forwarded forwarding",
    }
)
# Words ending in s that are not plurals.
_NOT_PLURAL = frozenset(
    """
    news always perhaps thanks jeans sunglasses glasses headphones trousers pants shorts series
    christmas yes plus bus gas less unless across minus bonus whereas afterwards towards
    """.split()  # noqa: SIM905
)

STOPWORDS = frozenset(
    """
    a an the i me my mine we our you your u ur it its is are was were be been am to of in on at
    for from with and or but so if that this these those there here do does did have has had
    can could would will should shall may might just please pls hi hello hey thanks thank
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_NEGATORS = frozenset(["not", "no", "never", "nothing", "nobody", "without", "nor", "neither"])
# Verbs a negation passes through to the word it is about: "don't want to cancel".
_NEGATION_PASSES = frozenset(["want", "need", "wish", "like", "mean", "plan", "try", "ask"])
# Words that end what a negation covers: "I don't want to cancel, just return it", and the
# words a new request begins with, which texting runs on without a comma: "dont want it
# anymore can u cancel".
_NEGATION_ENDS = frozenset(
    ["but", "instead", "rather", "just", "only", "so", "because", "though", "although"]
    + ["can", "could", "would", "will", "please"]
)


def lemma(word: str) -> str:
    """One form for the inflections of a word: cancelled, cancelling, cancellation -> cancel."""
    if word in _LEMMAS:
        return _LEMMAS[word]
    if (
        len(word) > 3
        and word.endswith("s")
        and word[-2] not in "siu"
        and word not in _NOT_PLURAL
        and word not in STOPWORDS
    ):
        word = word[:-2] + "y" if word.endswith("ies") and len(word) > 4 else word[:-1]
        return _LEMMAS.get(word, word)
    return word


def tokens_of(text: str) -> list[str]:
    """The words of a message (shorthand spelled out, numbers as `znum`) and its punctuation."""
    out: list[str] = []
    for token in _TOKEN.findall(normalise(strip_letter(text))):
        if token in _SPELLED_OUT:
            out.extend(_SPELLED_OUT[token])
        elif any(ch.isdigit() for ch in token):
            out.extend(_DIGITS.sub(" znum ", token).split())
        else:
            out.append(token)
    return out


def features(text: str, settings: Settings = Settings()) -> Counter[str]:
    """The feature counts of one message: word lemmas and their bigrams within a clause,
    character n-grams of content words, and a length bucket. A content word a negation
    covers ("I don't want to *cancel*") counts as `n:<lemma>` instead of itself."""
    tokens = tokens_of(text)
    counts: Counter[str] = Counter()
    counts[f"len:{min(sum(t not in _BREAKS for t in tokens), 12) // 3}"] += 1
    previous: str | None = None
    negated = 0
    for token in tokens:
        if token in _BREAKS:
            if token in "!?":
                counts["w:" + token] += 1
            previous, negated = None, 0
            continue
        base = lemma(token)
        if previous is not None:
            counts[f"b:{previous} {base}"] += 1
        previous = base
        if token in _NEGATION_ENDS:
            negated = 0
        elif token in _NEGATORS:
            negated = settings.negation_scope
        elif negated and token not in STOPWORDS:
            counts["n:" + base] += 1
            if base not in _NEGATION_PASSES:
                negated -= 1
            continue
        counts["w:" + base] += 1
        if token in STOPWORDS:  # their letters say nothing about the request
            continue
        padded = f" {token} "
        for n in range(settings.char_min, settings.char_max + 1):
            for i in range(len(padded) - n + 1):
                counts["c:" + padded[i : i + n]] += 1
    return counts




def split_blocks(counts: Counter[str]) -> tuple[list[str], list[str]]:
    """The word-level features and the character n-grams of one message, each repeated as
    often as it occurs (the shape a tf-idf vectoriser counts)."""
    words: list[str] = []
    chars: list[str] = []
    for feature, count in counts.items():
        (chars if feature.startswith("c:") else words).extend([feature] * count)
    return words, chars


_PLAIN_WORD = re.compile(r"[a-z0-9]+|[!?]")


def plain_blocks(text: str, char_min: int = 2, char_max: int = 5) -> tuple[list[str], list[str]]:
    """A plainer reading, for comparison: the normalised words and their bigrams, and the
    character n-grams of every word padded at its edges (no lemmas, no negation)."""
    words = _PLAIN_WORD.findall(normalise(text))
    bigrams = [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    word_block = [f"w:{w}" for w in words] + bigrams
    char_block: list[str] = []
    for w in words:
        padded = f" {w} "
        for n in range(char_min, char_max + 1):
            if n > len(padded):
                break
            char_block.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return word_block, char_block


def shop_blocks(text: str) -> tuple[list[str], list[str]]:
    """The shop's features of ``text``, split into the word block and the character block."""
    return split_blocks(features(text))


Analyser = Callable[[str], tuple[list[str], list[str]]]

ANALYSERS: dict[str, Analyser] = {
    "shop": shop_blocks,
    "plain": plain_blocks,
}
