"""Which language a customer writes in, by `lingua-language-detector`.

The detector is restricted to the languages the shop expects (English, Spanish, French,
German, Portuguese, Italian, Dutch, Polish, Swedish, Danish, Turkish; a language left out
is read as its nearest neighbour, as Polish was read as Portuguese) and runs in its
low-accuracy mode (trigram models only, about 25 MB; the high-accuracy mode took about
170 MB, more than the rest of a worker).
On short, informal English that mode often guesses another language ("pls cancel my
order" as German), so a message counts as another language only when the detector is
at least `MIN_CONFIDENCE` sure of it AND fewer than `MAX_ENGLISH_SHARE` of its words
are words the English training corpus knows (the caller passes that share; typos and
texting are in the corpus). Both cuts were chosen on the development split. Messages
with no words (an order id, an email address) count as English, the shop's language,
so a bare "#W1234567" never triggers a handoff.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

DEFAULT = "en"
LANGUAGES = {
    Language.ENGLISH: "en",
    Language.SPANISH: "es",
    Language.FRENCH: "fr",
    Language.GERMAN: "de",
    Language.PORTUGUESE: "pt",
    Language.ITALIAN: "it",
    Language.DUTCH: "nl",
    Language.POLISH: "pl",
    Language.SWEDISH: "sv",
    Language.DANISH: "da",
    Language.TURKISH: "tr",
}
MIN_CONFIDENCE = 0.7
MAX_ENGLISH_SHARE = 0.5
_NOT_WORDS = re.compile(r"\S*@\S+|#?\bw\s?\d{7}\b|\d+", re.IGNORECASE)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def detect_language(text: str, english_share: float = 0.0) -> str:
    """The ISO 639-1 code of the message's language; "en" when unsure.

    `english_share` is the share of the message's words an English vocabulary knows."""
    words = _NOT_WORDS.sub(" ", text)
    if english_share >= MAX_ENGLISH_SHARE or not re.search(r"[^\W\d_]{2,}", words):
        return DEFAULT
    best = _detector().compute_language_confidence_values(words)[0]
    if best.value < MIN_CONFIDENCE:
        return DEFAULT
    return LANGUAGES[best.language]
