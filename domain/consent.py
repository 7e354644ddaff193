"""What a customer agreed the agent may use beyond what a request needs.

Two memories are kept apart. *Session memory* is what this conversation gathered (the
case state's `captured`): it serves the request and ends with the case. *Profile memory*
is what the store holds across cases: the customer's profile and their past cases. The
agent always reads the profile fields a request needs (who is asking, their orders and
payment methods); anything beyond that waits for the customer's consent:

* `personalisation`: the profile may shape the wording (the brain is given the
  customer's first name to address them by);
* `marketing`: the customer may be told about offers;
* `past_cases`: earlier conversations may be read to help with this one (the handoff
  record lists the customer's earlier cases for the person who takes over).

Without a recorded choice every flag is off. A customer sees and changes their own flags
by asking the agent ("stop using my data for marketing", "what have I agreed to?"):
`read_consent_request` is the rule that recognises such a message. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from domain.identity import IDENTITY_ASKS

#: The flags, in the order pages show them, with what each allows in plain words.
CONSENT_FLAGS: dict[str, str] = {
    "personalisation": "use the profile to personalise replies (e.g. address by first name)",
    "marketing": "tell the customer about offers",
    "past_cases": "read the customer's earlier conversations to help with a new one",
}


@dataclass(frozen=True)
class Consent:
    personalisation: bool = False
    marketing: bool = False
    past_cases: bool = False

    def as_document(self) -> dict[str, bool]:
        return asdict(self)

    def with_changes(self, changes: Mapping[str, bool]) -> Consent:
        """These flags with `changes` applied (flags it does not name stay as they are)."""
        unknown = set(changes) - set(CONSENT_FLAGS)
        if unknown:
            raise ValueError(f"no consent flag {sorted(unknown)}")
        return replace(self, **{flag: bool(allowed) for flag, allowed in changes.items()})

    def differences(self, other: Consent) -> dict[str, bool]:
        """The flags `other` sets differently, with `other`'s values, in the pages' order."""
        mine, theirs = self.as_document(), other.as_document()
        return {flag: theirs[flag] for flag in CONSENT_FLAGS if mine[flag] != theirs[flag]}


@dataclass(frozen=True)
class ConsentRequest:
    """What a customer asked about their consent: to change flags (`changes`, each flag
    with the value asked for), or, with no changes, to be shown what they allowed."""

    changes: tuple[tuple[str, bool], ...] = ()

    @property
    def shows_only(self) -> bool:
        return not self.changes

    def as_record(self) -> dict[str, bool]:
        """Plain data for the case state (`captured["consent_request"]`)."""
        return dict(self.changes)

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> ConsentRequest:
        return cls(tuple((f, bool(record[f])) for f in CONSENT_FLAGS if f in record))


# --- the rule reader ----------------------------------------------------------------------
# Conservative by design: a flag changes only when a clause of the message names it and
# says which way, in words of using, sending or allowing. The labelled corpus of the
# classifier (retail messages, a few asking to unsubscribe) is read by the table tests,
# so words that name a flag in a retail request ("the personalised item", "add me to the
# newsletter" tacked onto a return) are kept out.

_FLAG_WORDS: dict[str, re.Pattern[str]] = {
    "personalisation": re.compile(
        r"\bpersonali[sz]ation\b|"
        r"\bpersonali[sz](?:e|ed|ing)\s+(?:the\s+|my\s+|your\s+|our\s+)?(?:replies|answers|"
        r"messages|responses|chats?|conversations?|support|service|experience)\b|"
        r"\bpersonali[sz]e(?:\s+(?:it|things|them))?\s*$|"
        r"\b(?:use|using|call me by|address me by)\s+my\s+(?:first\s+)?name\b|"
        r"\b(?:use|using)\s+my\s+profile\b",
        re.IGNORECASE,
    ),
    "marketing": re.compile(
        r"\b(?:marketing|promotional|promotions|newsletters?|offers|advertising|adverts|ads)\b",
        re.IGNORECASE,
    ),
    "past_cases": re.compile(
        r"\b(?:past|previous|earlier|old|older|prior|former)\s+(?:support\s+)?"
        r"(?:cases|conversations|chats|tickets|contacts|complaints)\b|"
        r"\b(?:case|conversation|chat|support|ticket)\s+history\b|"
        r"\bpast\s+cases?\b",
        re.IGNORECASE,
    ),
}
# "Unsubscribe (me)" names what it stops: the mailings about offers, unless the clause
# names a service the customer pays for ("unsubscribe me from the monthly box").
_UNSUBSCRIBE = re.compile(r"\bunsubscribe\b", re.IGNORECASE)
_PAID_SERVICE = re.compile(
    r"\b(?:box|subscription|membership|plan|deliver(?:y|ies)|order)\b", re.IGNORECASE
)
# What a customer uses to grant or withdraw: the verbs a flag's use is said with.
_USE = (
    r"(?:use|using|read|reading|look(?:ing)?\s+(?:at|into)|check|checking|"
    r"personali[sz]e|personali[sz]ing|send|sending|email|emailing|contact|tell\s+me\s+about|"
    r"call|address)"
)
_DONT_MIND = re.compile(r"\bi\s+(?:do\s+not|don'?t|dont)\s+mind\b", re.IGNORECASE)
_OFF = re.compile(
    r"\b(?:stop|quit|cease|unsubscribe|withdraw|revoke|disable|no\s+more|no\s+longer)\b|"
    r"\bopt(?:ing)?\s+(?:me\s+)?out\b|\b(?:turn|switch|shut)\s+(?:it\s+)?off\b|"
    r"\b(?:do\s+not|don'?t|dont|never)\s+(?:\w+\s+){0,2}?"
    r"(?:use|using|send|sending|email|emailing|contact|want|personali[sz]e|look|read|keep|"
    r"share|need|call|address)\b|"
    r"\byou\s+(?:can'?t|cannot|can\s+not|may\s+not|must\s+not|mustn'?t|"
    r"(?:are|'re)\s+not\s+allowed\s+to|aren'?t\s+allowed\s+to)\b|"
    r"\bi\s+(?:do\s+not|don'?t|dont)\s+(?:consent|agree|allow)\b|"
    r"\b(?:remove|take\s+back|cancel)\s+my\s+consent\b|\bwithout\s+my\s+(?:consent|permission)\b",
    re.IGNORECASE,
)
_ON = re.compile(
    r"\b(?:you\s+(?:can|may)(?:\s+now|\s+also)?|feel\s+free\s+to|go\s+ahead\s+and|please|"
    r"(?:it'?s|it\s+is|that'?s|that\s+is)\s+(?:ok|okay|fine|alright)(?:\s+for\s+you)?\s+to|"
    r"i\s+(?:allow|permit)\s+you\s+to|you\s+have\s+my\s+(?:permission|consent)\s+to|"
    r"you'?re\s+(?:allowed|welcome)\s+to|start|i'?d\s+like\s+you\s+to|i\s+want\s+you\s+to)"
    rf"\s+(?:\w+\s+)?{_USE}\b|"
    r"^\s*(?:please\s+)?(?:call|address)\s+me\s+by\b|"
    r"\bi\s+(?:consent|agree|say\s+yes)\b|\b(?:opt|sign)\s+me\s+(?:in|up)\b|"
    r"\bopt(?:ing)?\s+in\b|\bi'?m\s+(?:ok|okay|happy|fine|glad)\s+(?:with|for)\b|"
    r"\b(?:turn|switch)\s+(?:it\s+)?on\b|\benable\b|"
    r"\b(?:i'?d|i\s+would)\s+(?:like|love)\s+to\s+(?:get|receive|hear\s+about)\b",
    re.IGNORECASE,
)
# Withdrawing every flag at once: "withdraw my consent", "opt me out of everything".
_ALL = re.compile(
    r"\b(?:withdraw|revoke|remove|take\s+back|cancel)\s+(?:all\s+(?:of\s+)?)?my\s+consents?\b|"
    r"\b(?:withdraw|revoke)\s+(?:all\s+)?(?:consents?|permissions?)\b|"
    r"\bopt(?:ing)?\s+(?:me\s+)?out\s+of\s+(?:everything|all\s+of\s+(?:it|them)|all)\b",
    re.IGNORECASE,
)
_SHOW = re.compile(
    r"\bwhat\s+(?:have|did)\s+i\s+(?:consent(?:ed)?|agree[d]?|opt(?:ed)?\s+in|sign(?:ed)?\s+up)"
    r"(?:\s+(?:to|for))?\b|"
    r"\bwhat\s+(?:am\s+i|i'?m)\s+(?:opted|signed)\s+(?:in|up)\b|"
    r"\b(?:my|the)\s+(?:consents?|consent\s+(?:settings|choices|preferences|flags)|"
    r"(?:privacy|data|marketing)\s+(?:settings|choices|preferences|permissions))\b|"
    r"\b(?:what|which)\s+(?:consents?|permissions?)\s+(?:have\s+i|did\s+i|do\s+you\s+have)\b",
    re.IGNORECASE,
)
# "Do you use my past cases?": a question whether a flag's use is on.
_ASKS_WHETHER = re.compile(
    rf"^\W*(?:do|are|will|have)\s+you\s+(?:\w+\s+){{0,2}}?{_USE}\b", re.IGNORECASE
)
_CLAUSES = re.compile(r"[.;!?\n]+|,\s*|\s+(?:but|and|also|plus|or\s+else)\s+", re.IGNORECASE)


def _direction(clause: str) -> bool | None:
    """Whether a clause grants (True) or withdraws (False) what it names; None if neither."""
    if _DONT_MIND.search(clause):
        return True
    if _OFF.search(clause):
        return False
    if _ON.search(clause):
        return True
    return None


def _flags_named(clause: str) -> list[str]:
    named = [flag for flag, words in _FLAG_WORDS.items() if words.search(clause)]
    if not named and _UNSUBSCRIBE.search(clause) and not _PAID_SERVICE.search(clause):
        named = ["marketing"]
    return named


def read_consent_request(said: str) -> ConsentRequest | None:
    """The consent request in a message: flags to change ("stop using my data for
    marketing", "you can use my past cases"), or to be shown what was allowed ("what have
    I consented to?"); None when the message asks neither.

    Each clause is read alone: the flags it names and which way it says. A clause that
    names flags without saying which way takes the way of the clause before ("you can
    personalise and use my past cases"). Withdrawing everything ("withdraw my consent")
    names no flag and turns them all off; granting always names what it grants."""
    changes: dict[str, bool] = {}
    way: bool | None = None
    for clause in _CLAUSES.split(said):
        clause = clause.strip()
        if not clause:
            continue
        named = _flags_named(clause)
        said_way = _direction(clause)
        if said_way is not None:
            way = said_way
        if not named and _ALL.search(clause):
            named, way, said_way = list(CONSENT_FLAGS), False, False
        if named and way is not None and (said_way is not None or changes):
            for flag in named:
                changes[flag] = way
    if changes:
        return ConsentRequest(tuple((f, changes[f]) for f in CONSENT_FLAGS if f in changes))
    text = said.strip()
    if _SHOW.search(text):
        return ConsentRequest()
    if "?" in text and _ASKS_WHETHER.search(text) and _flags_named(text):
        return ConsentRequest()
    return None


def consent_request_of_turn(
    message: str, kept: Mapping[str, object] | None, awaiting: str | None
) -> ConsentRequest | None:
    """This turn's consent request: the message's own, else the one made earlier while
    the agent is still asking who the customer is; None otherwise (the request was
    handled, or the customer moved on)."""
    found = read_consent_request(message)
    if found is not None:
        return found
    if kept is not None and awaiting in IDENTITY_ASKS:
        return ConsentRequest.from_record(kept)
    return None


@dataclass(frozen=True)
class ConsentChange:
    """A customer's consent before and after a change they asked for."""

    before: Consent
    after: Consent
    replayed: bool = False  # the change was made earlier under the same key

    @property
    def changed(self) -> dict[str, bool]:
        return self.before.differences(self.after)


@dataclass(frozen=True)
class EarlierCase:
    """One of the customer's earlier cases, as a person taking over a new one reads it
    (only with `past_cases` consent): its id, topic and how it ended, never its messages."""

    case_id: str
    category: str | None
    status: str
    actions: tuple[str, ...]  # the actions that ran, by kind, in the order they ran
    opened_at: datetime
