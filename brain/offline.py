"""The offline brain: a trained classifier, rule-based extraction and template replies, no network.

Understanding: `brain.classifier` names the category with a calibrated confidence
(abstaining below its threshold), `brain.extract` reads order ids, emails, names,
zip codes, items and options from the customer's own order lines, payment methods,
cancellation reasons, yes/no and the wish for a person. A bare answer to the
agent's question keeps the conversation's topic. Replies are templates filled only
with facts from the store and the policy, so they cannot state anything the facts
do not hold.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

from brain.base import Entities, Reply, ReplyRequest, TurnContext, Understanding
from brain.classifier import Prediction, TextClassifier, category_of, load_or_build
from brain.extract import Extraction, OrderLine, extract
from brain.language import DEFAULT as ENGLISH
from brain.language import detect_language
from brain.templates import compose_from_template
from domain.dialogue import Category
from domain.gate import OUT_OF_SCOPE
from domain.matching import relative_wish
from domain.turn import is_general_question

MAX_CHARS = 4000
# What a reading below its label's acting threshold reports as its confidence.
ABSTAINED_CONFIDENCE = 0.49
# Readings with no request to act on: a greeting or bare answer, or one the shop cannot serve.
_NOTHING_TO_ACT_ON = frozenset({Category.OTHER.value, OUT_OF_SCOPE})
# A different request this sure of itself ends the topic even while we wait for an answer.
TOPIC_CHANGE_CONFIDENCE = 0.9

# What each question of the agent is answered by: what the message names, and the turn.
_ANSWERS_TO: dict[str, Callable[[Entities, TurnContext], bool]] = {
    "identity": lambda e, t: bool(e.emails or e.first_name or e.zip),
    "order_id": lambda e, t: bool(e.order_ids),
    "cancel_reason": lambda e, t: e.cancel_reason is not None,
    "payment_method": lambda e, t: e.payment is not None,
    "preferred_resolution": lambda e, t: True,
    "confirmation": lambda e, t: True,
    # "Which item?": one of the order's own lines. "Which version?": an option value
    # ("the grey one") or a step along one of the items' options ("a size up").
    "item": lambda e, t: bool(e.item_ids or e.item_names),
    # "Which of these?": any answer is read against the lines offered (domain.items).
    "item_choice": lambda e, t: True,
    "new_option": lambda e, t: bool(e.item_options) or _wishes_a_step(t),
}


def _wishes_a_step(turn: TurnContext) -> bool:
    keys = {str(k) for line in turn.order_lines for k in (line.get("options") or {})}
    return relative_wish(turn.text, keys) is not None


def entities_from(found: Extraction) -> Entities:
    """The brain interface's entities from what extraction found."""
    first, last = found.name or (None, None)
    return Entities(
        order_ids=found.order_ids,
        emails=found.emails,
        first_name=first,
        last_name=last,
        zip=found.zip,
        item_ids=list(found.items.item_ids),
        item_names=list(found.items.names) or found.product_words,
        payment=found.payment,
        cancel_reason=found.cancel_reason,
        item_options=found.items.options,
        card_last_four=found.card_last_four,
    )


class OfflineBrain:
    """Classifier, rules and templates; the default when no model API is configured."""

    name = "offline"

    def __init__(self, classifier: TextClassifier | None = None) -> None:
        self._classifier = classifier

    @classmethod
    def load(cls, data_dir: Path) -> OfflineBrain:
        """The brain with the model cached in `data_dir` (trained there on first use)."""
        return cls(load_or_build(data_dir))

    @property
    def classifier(self) -> TextClassifier:
        if self._classifier is None:
            # Without a data dir (tests, tools) the model is trained in this process; a
            # worker always passes one, through `load`, and never imports the training code.
            from brain.training import shipped_model

            self._classifier = shipped_model()
        return self._classifier

    async def understand(self, turn: TurnContext) -> Understanding:
        # Reading is CPU work (the classifier, the language detector's first load): off the
        # worker's event loop, so the activity keeps heartbeating and the other activities
        # and workflow tasks of the worker keep running meanwhile.
        return await asyncio.to_thread(self.read, turn)

    def read(self, turn: TurnContext) -> Understanding:
        """`understand`, on the calling thread."""
        text = turn.text[:MAX_CHARS]
        found = extract(text, [OrderLine.from_fact(line) for line in turn.order_lines])
        entities = entities_from(found)
        prediction = self.classifier.predict(text)
        # A name is no language's: "Mia Sanchez 98179" is not Italian.
        spoken = _without_names(text, entities.first_name, entities.last_name)
        language = detect_language(spoken, self.classifier.english_share(spoken))
        if _answers_who_they_are(turn, entities):
            # "raj moore, charlotte, 28231": names and places answering the identity
            # question are no language; the conversation goes on in the one it had.
            language = ENGLISH
        category, confidence = prediction.category, prediction.confidence
        rationale = prediction.rationale()
        if prediction.abstain and prediction.label not in _NOTHING_TO_ACT_ON:
            # Below this label's acting threshold (chosen on the development split): the
            # dialogue acts on a reading at 0.5 or more, so an unsure one is reported below
            # it and the agent asks a clarifying question instead. The probability itself
            # stays in the rationale.
            confidence = min(confidence, ABSTAINED_CONFIDENCE)
            rationale += f" (acts from {self.classifier.threshold_of(prediction.label):.2f})"
        if language != ENGLISH:
            # Read in English only: say so in the customer's language and hand off
            # (`brain.templates.handoff_in_language`), with the language in the record.
            return Understanding(
                category=category,
                confidence=confidence,
                wants_human=True,
                entities=entities,
                rationale=f"written in {language}; the offline brain reads English ({rationale})",
                language=language,
                out_of_scope=prediction.out_of_scope,
            )
        previous = turn.previous_category
        if previous is not None and _continues_topic(turn, prediction, entities, found):
            category, confidence = previous, max(confidence, 0.9)
            rationale = f"continues the previous request ({rationale})"
        if category is Category.TALK_TO_HUMAN and _asks_about_the_team(text, found):
            # "when are your support people working?", "is there a store I can visit?":
            # a question about the shop's people and places, for its articles to answer.
            category = Category.POLICY_QUESTION
            rationale = f"a question about the shop, not a request for a person ({rationale})"
        wants_human = found.wants_person or (
            category is Category.TALK_TO_HUMAN and not prediction.abstain
        )
        return Understanding(
            category=category,
            confidence=confidence,
            wants_human=wants_human,
            affirm=found.affirm,
            entities=entities,
            rationale=rationale,
            out_of_scope=prediction.out_of_scope and category is Category.OTHER,
            alternatives=_readings(prediction, 0.0 if confidence < 0.5 else TOPIC_FLOOR)
            if confidence < 0.5 or category is Category.TALK_TO_HUMAN
            else [],
        )

    async def compose(self, request: ReplyRequest) -> Reply:
        return compose_from_template(request)


# "can I talk to someone?" asks for a person even when worded as a question.
_TO_SOMEONE = re.compile(r"\b(?:talk|speak|chat)\s+(?:to|with)\b", re.IGNORECASE)


def _asks_about_the_team(text: str, found: Extraction) -> bool:
    """Whether a message read as asking for a person is a question about the shop instead:
    worded as one, and asking for nobody ("r u guys an actual shop i can walk into?")."""
    return (
        not found.wants_person
        and not _TO_SOMEONE.search(text)
        and ("?" in text or is_general_question(text))
    )


# How likely a request must be to name the topic of a message asking for a person
# ("a person about my return"): the handoff record files the case under it.
TOPIC_FLOOR = 0.04


def _readings(prediction: Prediction, floor: float) -> list[Category]:
    """The likeliest requests a read names, best first: to ask an unsure customer which
    they mean, or the topic of a message that asks for a person."""
    named = [
        category_of(label)
        for label, p in prediction.ranked
        if p >= floor
        and label not in (OUT_OF_SCOPE, Category.OTHER.value, Category.TALK_TO_HUMAN.value)
    ]
    return list(dict.fromkeys(named))[:2]


def _continues_topic(
    turn: TurnContext, prediction: Prediction, entities: Entities, found: Extraction
) -> bool:
    """Whether the message answers the conversation so far rather than starting a new request."""
    if turn.previous_category in (None, Category.OTHER):
        return False  # no request yet whose topic could continue
    if prediction.category is turn.previous_category:
        return True  # the same request again, perhaps with what we asked for
    if found.wants_person:
        return False
    if turn.has_proposal and found.affirm is not None:
        return True  # a yes or no to what we proposed
    new_request = prediction.category is not Category.OTHER and not prediction.abstain
    answers = _ANSWERS_TO.get(turn.awaiting or "")
    answered = answers is not None and answers(entities, turn)
    if answered and prediction.confidence < TOPIC_CHANGE_CONFIDENCE:
        return True
    if new_request:
        return False
    said_something = bool(entities.model_dump(exclude_defaults=True))
    return found.affirm is not None or bool(turn.awaiting) or said_something


# The questions an identity answer replies to, and the most words such an answer has.
_IDENTITY_QUESTIONS = frozenset({"identity", "identity_factor"})
_IDENTITY_ANSWER_WORDS = 8


def _answers_who_they_are(turn: TurnContext, entities: Entities) -> bool:
    """Whether the message is a short answer to "who are you?" (an email or a zip in it)."""
    return (
        turn.awaiting in _IDENTITY_QUESTIONS
        and bool(entities.emails or entities.zip)
        and len(turn.text.split()) <= _IDENTITY_ANSWER_WORDS
    )


def _without_names(text: str, *names: str | None) -> str:
    """`text` without the customer's own name, which says nothing of their language."""
    for name in names:
        if name:
            text = re.sub(rf"\b{re.escape(name)}\b", " ", text, flags=re.IGNORECASE)
    return text
