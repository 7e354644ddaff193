"""A customer's own consent in a conversation: the rule that reads a request about it
(`domain.consent.read_consent_request`) and the turn's decision on it
(`domain.turn.consent_outcome`, inside `decide_turn`)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from domain.consent import (
    CONSENT_FLAGS,
    Consent,
    ConsentRequest,
    consent_request_of_turn,
    read_consent_request,
)
from domain.dialogue import Category
from domain.identity import IdentityLevel, IdentityRules
from domain.knowledge import Passage
from domain.turn import (
    CONFIDENT,
    AnswerSource,
    OutcomeKind,
    TurnRead,
    decide_turn,
    split_requests,
    two_requests,
)
from tests.unit.test_turn import NO_MARKETING, Row, facts

OFF, ON = False, True
ALL_OFF = {flag: OFF for flag in CONSENT_FLAGS}
SHOW: dict[str, bool] = {}  # a request to be shown what was allowed

READINGS: list[tuple[str, dict[str, bool] | None]] = [
    # withdrawing
    ("stop using my data for marketing", {"marketing": OFF}),
    ("Please stop sending me marketing emails. My email is ada@example.com", {"marketing": OFF}),
    ("unsubscribe me from offers", {"marketing": OFF}),
    ("Unsubscribe", {"marketing": OFF}),
    ("I want to unsubscribe from your emails", {"marketing": OFF}),
    ("opt me out of marketing", {"marketing": OFF}),
    ("no more newsletters please", {"marketing": OFF}),
    ("don't use my past cases", {"past_cases": OFF}),
    ("I don't want you to look at my previous conversations", {"past_cases": OFF}),
    ("you can't use my past cases", {"past_cases": OFF}),
    ("stop personalising replies", {"personalisation": OFF}),
    ("don't call me by my first name", {"personalisation": OFF}),
    ("withdraw my consent for personalisation", {"personalisation": OFF}),
    ("withdraw my consent", ALL_OFF),
    ("opt me out of everything", ALL_OFF),
    # granting: always names what it grants
    ("you can personalise", {"personalisation": ON}),
    ("I'm happy for you to personalise replies", {"personalisation": ON}),
    ("call me by my first name", {"personalisation": ON}),
    ("you may use my past cases", {"past_cases": ON}),
    ("I don't mind you using my past cases", {"past_cases": ON}),
    ("I consent to marketing", {"marketing": ON}),
    ("I'd like to receive offers", {"marketing": ON}),
    # several in one message: each clause its own way, or the way of the one before
    ("you can personalise and use my past cases", {"personalisation": ON, "past_cases": ON}),
    (
        "stop the offers but you can use my previous conversations",
        {"marketing": OFF, "past_cases": ON},
    ),
    ("don't use my past cases or send me offers", {"marketing": OFF, "past_cases": OFF}),
    # being shown
    ("what have I consented to?", SHOW),
    ("What did I agree to?", SHOW),
    ("what are my privacy settings?", SHOW),
    ("Please update my marketing preferences", SHOW),
    ("Do you use my past cases?", SHOW),
    # not about consent: retail requests that name the same words
    ("Can I personalise the item with a message", None),
    ("I'd like to return the personalised mug", None),
    ("I don't want the personalised item anymore, cancel it", None),
    ("Also, could you add me to the newsletter", None),
    ("In my previous conversation you said you can refund me", None),
    ("I'd prefer to opt out of my order, it's taking too long", None),
    ("Stop everything on my order please", None),
    ("unsubscribe me from the monthly box", None),
    ("Why do you keep sending me marketing emails?", None),
    ("what may you use my data for?", None),  # the shop's rule: a help article answers it
    ("Where is my order #W0000002?", None),
    ("stop using my data", None),  # which use? not guessed
]


@pytest.mark.parametrize(("said", "expected"), READINGS, ids=[r[0] for r in READINGS])
def test_a_consent_request_is_read_clause_by_clause(
    said: str, expected: dict[str, bool] | None
) -> None:
    found = read_consent_request(said)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.as_record() == expected
        assert found.shows_only is (expected == SHOW)


DATA = Path(__file__).resolve().parents[2] / "brain" / "data"


def test_the_labelled_retail_messages_are_not_read_as_consent_requests() -> None:
    """Every labelled message the rule reads as about consent asks to be unsubscribed (an
    unserved request until now), or is two requests, one of them about consent, which the
    turn takes one after the other. The held-out split is not read: it is measured once."""
    read = 0
    for path in (DATA / "train.jsonl", DATA / "split" / "development.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if read_consent_request(row["text"]) is None:
                continue
            read += 1
            if row["label"] in ("other", "out_of_scope"):
                continue
            parts = split_requests(row["text"])
            assert parts is not None, row
            assert [read_consent_request(p) is not None for p in parts].count(True) == 1, row
    assert read >= 20  # the unsubscribe requests are read


def test_the_flags_change_one_by_one_and_unknown_flags_are_refused() -> None:
    before = Consent(marketing=True)
    after = before.with_changes({"marketing": False, "past_cases": True})
    assert after == Consent(past_cases=True)
    assert before.differences(after) == {"marketing": False, "past_cases": True}
    assert before.differences(before.with_changes({"marketing": True})) == {}
    with pytest.raises(ValueError, match="shoe_size"):
        before.with_changes({"shoe_size": True})


def test_a_request_made_before_the_identity_answers_is_kept_for_them_only() -> None:
    kept = NO_MARKETING.as_record()
    assert consent_request_of_turn("ada@example.com", kept, "identity") == NO_MARKETING
    assert consent_request_of_turn("482913", kept, "one_time_code") == NO_MARKETING
    assert consent_request_of_turn("where is my order?", kept, None) is None
    assert consent_request_of_turn("where is my order?", kept, "order_id") is None
    # A new request about consent replaces the kept one.
    shown = consent_request_of_turn("what have I agreed to?", kept, "identity")
    assert shown == ConsentRequest()
    assert ConsentRequest.from_record(kept) == NO_MARKETING


# --- the decision -------------------------------------------------------------------------

STRICT = IdentityRules()  # the shipped levels: a change needs the one-time code


def test_a_change_to_what_already_holds_is_answered_with_the_flags() -> None:
    row = Row("", Category.OTHER, consent_request=NO_MARKETING, consent=Consent())
    outcome = decide_turn(facts(row))
    assert outcome.kind is OutcomeKind.ANSWER and outcome.source is AnswerSource.CONSENT


def test_a_wish_for_a_person_goes_to_a_person() -> None:
    row = Row("", Category.OTHER, consent_request=NO_MARKETING, wants_human=True)
    assert decide_turn(facts(row)).kind is OutcomeKind.ESCALATE


def test_reading_level_shows_the_flags_but_never_changes_them() -> None:
    """The backstop under the identity step, which asks for the change level first."""
    row = Row("", Category.OTHER, consent_request=NO_MARKETING, consent=Consent(marketing=True))
    reading = replace(facts(row), identity=IdentityLevel.EMAIL_FACTOR)
    assert reading.policy.identity.change is STRICT.change
    assert decide_turn(reading).kind is OutcomeKind.ESCALATE
    shown = decide_turn(replace(reading, consent_request=ConsentRequest()))
    assert shown.kind is OutcomeKind.ANSWER
    signed = decide_turn(replace(reading, identity=IdentityLevel.SIGNED_TOKEN))
    assert signed.kind is OutcomeKind.CHANGE_CONSENT


def test_who_they_are_is_asked_twice_then_a_person_takes_over() -> None:
    row = Row("", Category.OTHER, verified=False, consent_request=NO_MARKETING)
    unverified = replace(facts(row), identity_ask="one_time_code")
    asked = decide_turn(unverified)
    assert asked.kind is OutcomeKind.ASK and asked.ask_for == "one_time_code"
    twice = replace(unverified, captured={"asked": {"one_time_code": 2}})
    assert decide_turn(twice).kind is OutcomeKind.ESCALATE


def test_a_consent_request_comes_before_an_article_or_a_no_to_an_answer() -> None:
    """"Stop using my data for marketing" reads as a no and may find a help article: the
    customer's request about their consent is still what is decided."""
    row = Row("", Category.OTHER, message="stop using my data for marketing",
              consent_request=NO_MARKETING, consent=Consent(marketing=True))  # fmt: skip
    article = Passage("account", "Your account", "What may you use my data for?", "…", 5.0)
    decided = replace(
        facts(row),
        read=TurnRead(category=Category.OTHER, confidence=0.52, autonomous=False, affirm=False),
        knowledge=(article,),
        after_article="partial",
    )
    outcome = decide_turn(decided)
    assert outcome.kind is OutcomeKind.CHANGE_CONSENT
    assert outcome.changes == {"marketing": False}


def test_a_consent_request_beside_another_request_makes_two_requests() -> None:
    said = (
        "Can you update my saved address to 7 Birch Way? Also I'd like to stop the marketing "
        "emails."
    )
    parts = split_requests(said)
    assert parts is not None
    address, other = Category.ACCOUNT_ADDRESS, Category.OTHER
    assert two_requests(address, 0.9, other, 0.6, parts=parts)
    assert not two_requests(address, 0.9, other, 0.6)  # as before: "other" is vague
    assert not two_requests(address, CONFIDENT - 0.1, other, 0.6, parts=parts)
    both = ("stop the marketing emails", "don't use my past cases")
    assert not two_requests(other, 0.9, other, 0.9, parts=both)
