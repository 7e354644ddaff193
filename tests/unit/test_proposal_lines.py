"""What a proposal lists before the customer says yes (domain.items.proposal_of)."""

from __future__ import annotations

from decimal import Decimal as D

from domain.items import Proposal, ProposalLine, describe_proposal, proposal_lines, proposal_of
from domain.retail import (
    Address,
    Order,
    OrderLine,
    PaymentKind,
    PaymentMethod,
    Transaction,
    TransactionKind,
    Variant,
    plan_cancel,
    plan_exchange,
    plan_modify_items,
    plan_modify_order_address,
    plan_return,
)

ADDRESS = Address(
    address1="1 Main Street",
    address2="",
    city="Springfield",
    state="IL",
    country="USA",
    zip="62701",
)
CARD = PaymentMethod(id="card", kind=PaymentKind.CREDIT_CARD, brand="visa", last_four="4242")
GIFT = PaymentMethod(id="gift", kind=PaymentKind.GIFT_CARD, balance=D("500.00"))
METHODS = {m.id: m for m in (CARD, GIFT)}

BLUE = {"color": "blue", "battery life": "10 hours", "water resistance": "yes"}
DRY = {"color": "blue", "battery life": "10 hours", "water resistance": "no"}
HOSE = {"length": "50ft", "material": "latex", "color": "black"}
# #W8528674 of τ²-retail, paid by card.
LINES = (
    OrderLine(
        product_id="spk",
        item_id="4716977452",
        name="Bluetooth Speaker",
        price=D("289.69"),
        options=BLUE,
    ),
    OrderLine(
        product_id="spk",
        item_id="6704763132",
        name="Bluetooth Speaker",
        price=D("305.45"),
        options=DRY,
    ),
    OrderLine(
        product_id="hose", item_id="4024196380", name="Garden Hose", price=D("102.90"), options=HOSE
    ),
)
PAID = sum((x.price for x in LINES), D("0.00"))


def order(status: str) -> Order:
    return Order(
        id="#W8528674",
        customer_id="c",
        status=status,
        address=ADDRESS,
        lines=LINES,
        transactions=(
            Transaction(kind=TransactionKind.PAYMENT, amount=PAID, payment_method_id="card"),
        ),
    )


CATALOGUE = {
    "9999999991": Variant(
        item_id="9999999991",
        product_id="spk",
        price=D("310.00"),
        available=True,
        options={**DRY, "color": "green"},
    ),
    "9999999992": Variant(
        item_id="9999999992",
        product_id="hose",
        price=D("90.00"),
        available=True,
        options={**HOSE, "length": "25ft"},
    ),
}


def test_a_return_lists_each_item_with_its_options_and_amount() -> None:
    delivered = order("delivered")
    change = plan_return(delivered, ["6704763132"], "card", METHODS)
    proposal = proposal_of(delivered, change, METHODS)
    assert proposal == Proposal(
        action="return_items",
        order_id="#W8528674",
        lines=(ProposalLine("6704763132", "Bluetooth Speaker", DRY, D("305.45")),),
        total=D("305.45"),
        money="refund",
        methods=("Visa ending 4242",),
    )
    assert describe_proposal(proposal) == (
        "I will return the Bluetooth Speaker (color blue, battery life 10 hours, water "
        "resistance no) for 305.45 from order #W8528674: refund 305.45 to your Visa ending 4242."
    )


def test_a_return_of_two_lines_totals_both() -> None:
    delivered = order("delivered")
    change = plan_return(delivered, ["4024196380", "4716977452"], "gift", METHODS)
    proposal = proposal_of(delivered, change, METHODS)
    assert [x.item_id for x in proposal.lines] == ["4716977452", "4024196380"]
    assert sum(x.amount for x in proposal.lines) == proposal.total == D("392.59")
    assert proposal.methods == ("gift card",)


def test_a_cancellation_lists_every_item() -> None:
    pending = order("pending")
    change = plan_cancel(pending, "no longer needed", METHODS)
    proposal = proposal_of(pending, change, METHODS)
    assert [x.item_id for x in proposal.lines] == [x.item_id for x in LINES]
    assert proposal.total == PAID and proposal.money == "refund"


def test_an_item_change_lists_what_each_line_becomes() -> None:
    pending = order("pending")
    change = plan_modify_items(
        pending,
        ["6704763132", "4024196380"],
        ["9999999991", "9999999992"],
        "card",
        METHODS,
        CATALOGUE,
    )
    lines = proposal_lines(pending, change)
    assert [(x.item_id, x.new_item_id, x.amount) for x in lines] == [
        ("6704763132", "9999999991", D("4.55")),
        ("4024196380", "9999999992", D("-12.90")),
    ]
    proposal = proposal_of(pending, change, METHODS)
    assert proposal.total == D("8.35") and proposal.money == "refund"
    said = describe_proposal(proposal)
    assert "for one with color green" in said
    # Several items: each one's difference, then the total that moves.
    assert "(4.55 more)" in said and "(12.90 less)" in said and "refund 8.35" in said


def test_an_exchange_pairs_each_line_with_its_new_variant() -> None:
    delivered = order("delivered")
    change = plan_exchange(
        delivered,
        ["4024196380", "6704763132"],
        ["9999999992", "9999999991"],
        "card",
        METHODS,
        CATALOGUE,
    )
    lines = proposal_lines(delivered, change, CATALOGUE)
    assert [(x.item_id, x.new_item_id) for x in lines] == [
        ("6704763132", "9999999991"),
        ("4024196380", "9999999992"),
    ]
    proposal = proposal_of(delivered, change, METHODS, CATALOGUE)
    assert proposal.money == "refund" and proposal.total == D("8.35")


def test_an_address_change_touches_no_item() -> None:
    pending = order("pending")
    change = plan_modify_order_address(pending, ADDRESS)
    proposal = proposal_of(pending, change, METHODS)
    assert proposal.lines == () and proposal.money == "none"
    assert describe_proposal(proposal).endswith("no money moves.")
