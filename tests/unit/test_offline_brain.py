"""The offline brain reads a turn in its conversation: topic kept, topic changed, person wanted."""

from __future__ import annotations

from pathlib import Path

import pytest

from brain.base import TurnContext
from brain.classifier import model_path
from brain.offline import OfflineBrain
from brain.training import install
from domain.dialogue import ACTION_OF_CATEGORY, Category

C = Category
BRAIN = OfflineBrain()
LAMP = [
    {"item_id": "lamp-1", "name": "Desk Lamp", "price": "149.99", "options": {"color": "black"}}
]


@pytest.mark.parametrize(
    ("text", "previous", "awaiting", "proposal", "category", "affirm"),
    [
        # Bare answers keep the request they answer.
        (
            "my email is ada@example.com, I ordered it by mistake",
            C.CANCEL_ORDER,
            "identity",
            False,
            C.CANCEL_ORDER,
            None,
        ),
        ("ada.lovelace@example.com", C.RETURN, "identity", False, C.RETURN, None),
        ("Ada Lovelace, 10001", C.ORDER_STATUS, "identity", False, C.ORDER_STATUS, None),
        ("#W1000002", C.CANCEL_ORDER, "order_id", False, C.CANCEL_ORDER, None),
        ("no longer needed", C.CANCEL_ORDER, "cancel_reason", False, C.CANCEL_ORDER, None),
        ("yes please", C.CANCEL_ORDER, "confirmation", True, C.CANCEL_ORDER, True),
        ("yes", C.RETURN, "confirmation", True, C.RETURN, True),
        ("no, actually I'll keep it", C.CANCEL_ORDER, "confirmation", True, C.CANCEL_ORDER, False),
        # A clear new request changes the topic, even mid-question.
        (
            "where is my order #W1000003?",
            C.CANCEL_ORDER,
            "cancel_reason",
            False,
            C.ORDER_STATUS,
            None,
        ),
        (
            "how long does a refund take to reach my card?",
            C.OTHER,
            "need",
            False,
            C.POLICY_QUESTION,
            None,
        ),
        # Nothing to continue: a greeting is just a greeting.
        ("hello, ava.moore6020@example.com here", None, None, False, C.OTHER, None),
        ("hi again", C.OTHER, "need", False, C.OTHER, None),
    ],
)
async def test_a_turn_is_read_in_its_conversation(
    text: str,
    previous: Category | None,
    awaiting: str | None,
    proposal: bool,
    category: Category,
    affirm: bool | None,
) -> None:
    u = await BRAIN.understand(
        TurnContext(text=text, previous_category=previous, awaiting=awaiting, has_proposal=proposal)
    )
    assert (u.category, u.affirm) == (category, affirm), u.rationale
    assert u.confidence >= 0.5


async def test_asking_for_a_person_wins_at_any_point() -> None:
    u = await BRAIN.understand(
        TurnContext(
            text="I want to talk to a real person please",
            previous_category=C.RETURN,
            awaiting="order_id",
        )
    )
    assert u.wants_human and u.category is C.TALK_TO_HUMAN


@pytest.mark.parametrize(
    "text, wants_human",
    [
        ("when are your support people working?", False),
        ("is there a store I can visit to collect my order in person?", False),
        ("can I talk to someone from your support team?", True),
        ("is there a manager I can speak to?", True),
    ],
)
async def test_a_question_about_the_shops_people_is_not_a_request_for_one(
    text: str, wants_human: bool
) -> None:
    u = await BRAIN.understand(TurnContext(text=text))
    assert u.wants_human is wants_human, u.rationale
    assert (u.category is C.TALK_TO_HUMAN) is wants_human, u.rationale


async def test_entities_and_items_from_the_customers_own_order() -> None:
    u = await BRAIN.understand(
        TurnContext(
            text="I'm Ada Lovelace, zip 10001. Return the black lamp of #W0000001 to my gift card",
            order_lines=LAMP,
        )
    )
    e = u.entities
    assert u.category is C.RETURN
    assert (e.first_name, e.last_name, e.zip) == ("Ada", "Lovelace", "10001")
    assert e.order_ids == ["#W0000001"] and e.payment == "gift_card"
    assert (e.item_ids, e.item_names, e.item_options) == (
        ["lamp-1"],
        ["Desk Lamp"],
        {"color": "black"},
    )
    assert "return" in u.rationale


BOTTLE_AND_KETTLE = [
    {"item_id": "6777246137", "name": "Water Bottle", "options": {"capacity": "750ml"}},
    {"item_id": "9624127908", "name": "Electric Kettle", "options": {"capacity": "1.5L"}},
]


@pytest.mark.parametrize(
    ("text", "awaiting", "category"),
    [
        # As answers to the question asked they keep the exchange.
        ("the water bottle", "item", C.EXCHANGE),
        ("a larger capacity", "new_option", C.EXCHANGE),
        ("larger capacity please", "new_option", C.EXCHANGE),
        # Read on its own a bare item or option asks for nothing (`other`, like any bare
        # answer), so it keeps the request it came in, even when it answers another question.
        ("the water bottle", "new_option", C.EXCHANGE),
        ("a larger capacity", "item", C.EXCHANGE),
        # Not an answer to the question asked: the message is read on its own.
        ("is the water bottle dishwasher safe?", "new_option", C.PRODUCT_QUESTION),
    ],
)
async def test_which_item_and_which_version_are_answered_in_the_exchange(
    text: str, awaiting: str, category: Category
) -> None:
    u = await BRAIN.understand(
        TurnContext(
            text=text,
            previous_category=C.EXCHANGE,
            awaiting=awaiting,
            order_lines=BOTTLE_AND_KETTLE,
        )
    )
    assert u.category is category


async def test_loading_from_a_data_dir_reads_the_built_model(tmp_path: Path) -> None:
    install(tmp_path)  # what `python -m brain.training build` writes at a first start
    brain = OfflineBrain.load(tmp_path)
    assert model_path(tmp_path).exists()
    u = await brain.understand(TurnContext(text="cancel order #W1000002 please"))
    assert u.category is C.CANCEL_ORDER
    assert u.language == "en" and not u.out_of_scope


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, quiero devolver las zapatillas, me quedan pequeñas.", "es"),
        ("Bonjour, je voudrais annuler ma commande.", "fr"),
        ("Wo ist meine Bestellung? Ich warte seit zwei Wochen.", "de"),
    ],
)
async def test_another_language_is_handed_to_a_person_with_the_language(
    text: str, language: str
) -> None:
    u = await BRAIN.understand(TurnContext(text=text))
    assert (u.language, u.wants_human) == (language, True)


@pytest.mark.parametrize(
    "text", ["Mia Sanchez 98179", "Giulia Rossi, 10001", "it's Pierre Dubois 75001"]
)
async def test_a_name_is_no_language(text: str) -> None:
    """The literal answer to "your full name and zip code" is read in English, whatever
    language the name sounds like."""
    u = await BRAIN.understand(TurnContext(text=text))
    assert (u.language, u.wants_human) == ("en", False)
    assert u.entities.first_name and u.entities.last_name


async def test_an_out_of_scope_request_is_never_an_action() -> None:
    u = await BRAIN.understand(TurnContext(text="I forgot my password and can't log in"))
    assert u.category in (C.OTHER, C.TALK_TO_HUMAN) or u.confidence < 0.5
    assert u.category not in ACTION_OF_CATEGORY


async def test_an_answer_to_who_they_are_is_no_language() -> None:
    """Names and a town answering the identity question ("raj moore, charlotte, 28231")
    are read in the conversation's language, not handed off as Dutch."""
    for text in ("raj moore, charlotte, 28231", "jan de graaf uit utrecht 10001"):
        u = await BRAIN.understand(TurnContext(text=text, awaiting="identity"))
        assert (u.language, u.wants_human) == ("en", False), text
