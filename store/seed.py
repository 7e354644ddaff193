"""Data sets to load into the store: a small demo shop, or the τ²-bench retail data.

`seed(sessions, "demo")` loads a deterministic shop generated here: 10 products,
8 customers and 20 orders (#W1000001 … #W1000020) in every order status, with
amounts chosen so each approval tier of the default policy comes up.
`seed(sessions, "tau2-retail")` loads the reference data set (needs the `tau2`
extra). Both go through `store.tau2.import_retail_db`, so re-seeding replaces the
rows it wrote before and never duplicates them.

Demo customers (all at example.com; find them by email or by name and zip):

============== ============================ ===== ==========================================
Customer       Email                        Zip   Orders worth knowing
============== ============================ ===== ==========================================
Ada Lovelace   ada.lovelace@example.com     10001 #W1000001 delivered 2,548.00 — returning
                                                  the laptop (2,349.00) needs a senior
                                                  approver; #W1000002 pending 44.49 (cancel,
                                                  modify, address); #W1000003 processed
Ben Okafor     ben.okafor@example.com       94110 #W1000004 pending 1,899.00 — cancelling
                                                  needs an approver; #W1000005 delivered
                                                  office chair 329.00 — return needs an
                                                  approver; #W1000006 cancelled
Chloe Nguyen   chloe.nguyen@example.com     98101 #W1000007 delivered earbuds 89.00 (return
                                                  runs automatically; her 5.00 gift card
                                                  cannot pay an upgrade); #W1000008 pending
                                                  (item modified)
Diego Alvarez  diego.alvarez@example.com    78701 #W1000009 pending, two cards (change the
                                                  payment method); #W1000010 return
                                                  requested; #W1000011 delivered shoes
Emma Schulz    emma.schulz@example.com      60601 #W1000012 exchange requested; #W1000013
                                                  delivered 333.50; #W1000014 pending, paid
                                                  by gift card
Farah Haddad   farah.haddad@example.com     02139 #W1000015 returned; #W1000016 processed
George Park    george.park@example.com      30301 #W1000017 exchanged; #W1000018 pending
                                                  1,344.00 paid by gift card — cancelling
                                                  needs an approver
Hana Sato      hana.sato@example.com        97201 #W1000019 delivered, four lines incl. a
                                                  duplicate item; #W1000020 pending, two
                                                  lines of different products
============== ============================ ===== ==========================================

`DEMO_CUSTOMERS` holds the same facts for tests and docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import CustomerRow, OrderRow, ProductRow
from store.tau2 import import_retail_db, load_reference_db

DATASETS = ("demo", "tau2-retail")

D = Decimal


@dataclass(frozen=True)
class DemoCustomer:
    """A demo customer, and what each of their orders is good for."""

    id: str
    first_name: str
    last_name: str
    email: str
    zip: str
    orders: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def order_ids(self) -> tuple[str, ...]:
        return tuple(order_id for order_id, _ in self.orders)


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "ada_lovelace_1001",
        "Ada",
        "Lovelace",
        "ada.lovelace@example.com",
        "10001",
        (
            (
                "#W1000001",
                "delivered 2,548.00: returning the 2,349.00 laptop needs a senior approver",
            ),
            ("#W1000002", "pending 44.49: cancel, modify items or address automatically"),
            ("#W1000003", "processed: can no longer be cancelled or changed"),
        ),
    ),
    DemoCustomer(
        "ben_okafor_1002",
        "Ben",
        "Okafor",
        "ben.okafor@example.com",
        "94110",
        (
            ("#W1000004", "pending 1,899.00: cancelling needs an approver"),
            ("#W1000005", "delivered 329.00 office chair: the return needs an approver"),
            ("#W1000006", "cancelled"),
        ),
    ),
    DemoCustomer(
        "chloe_nguyen_1003",
        "Chloe",
        "Nguyen",
        "chloe.nguyen@example.com",
        "98101",
        (
            (
                "#W1000007",
                "delivered 89.00: returns automatically; her 5.00 gift card cannot pay an upgrade",
            ),
            ("#W1000008", "pending (item modified): items cannot be changed again"),
        ),
    ),
    DemoCustomer(
        "diego_alvarez_1004",
        "Diego",
        "Alvarez",
        "diego.alvarez@example.com",
        "78701",
        (
            ("#W1000009", "pending 128.90 on one of two cards: change the payment method"),
            ("#W1000010", "return requested: staff can receive it back"),
            ("#W1000011", "delivered running shoes: exchange for another size"),
        ),
    ),
    DemoCustomer(
        "emma_schulz_1005",
        "Emma",
        "Schulz",
        "emma.schulz@example.com",
        "60601",
        (
            ("#W1000012", "exchange requested"),
            ("#W1000013", "delivered 333.50: returning the 309.00 watch needs an approver"),
            ("#W1000014", "pending 279.00 paid by gift card: a cancel refunds the card at once"),
        ),
    ),
    DemoCustomer(
        "farah_haddad_1006",
        "Farah",
        "Haddad",
        "farah.haddad@example.com",
        "02139",
        (
            ("#W1000015", "returned: refunded in full"),
            ("#W1000016", "processed"),
        ),
    ),
    DemoCustomer(
        "george_park_1007",
        "George",
        "Park",
        "george.park@example.com",
        "30301",
        (
            ("#W1000017", "exchanged: the 2.00 difference went back to his gift card"),
            ("#W1000018", "pending 1,344.00 paid by gift card: cancelling needs an approver"),
        ),
    ),
    DemoCustomer(
        "hana_sato_1008",
        "Hana",
        "Sato",
        "hana.sato@example.com",
        "97201",
        (
            ("#W1000019", "delivered 110.88, four lines including the same T-shirt twice"),
            ("#W1000020", "pending 508.00, two products: modify both lines at once"),
        ),
    ),
)

# product id, name, variants: (item id, options, price, available)
_CATALOGUE: tuple[tuple[str, str, tuple[tuple[str, dict[str, str], str, bool], ...]], ...] = (
    (
        "8000000001",
        "T-Shirt",
        (
            ("9000000101", {"color": "blue", "size": "M"}, "24.99", True),
            ("9000000102", {"color": "blue", "size": "L"}, "24.99", True),
            ("9000000103", {"color": "red", "size": "M"}, "26.99", True),
            ("9000000104", {"color": "red", "size": "L"}, "26.99", False),
        ),
    ),
    (
        "8000000002",
        "Running Shoes",
        (
            ("9000000201", {"size": "9", "color": "black"}, "119.00", True),
            ("9000000202", {"size": "10", "color": "black"}, "119.00", True),
            ("9000000203", {"size": "10", "color": "white"}, "129.00", True),
            ("9000000204", {"size": "11", "color": "white"}, "129.00", False),
        ),
    ),
    (
        "8000000003",
        "Water Bottle",
        (
            ("9000000301", {"capacity": "500ml", "material": "steel"}, "19.50", True),
            ("9000000302", {"capacity": "1000ml", "material": "steel"}, "24.50", True),
            ("9000000303", {"capacity": "750ml", "material": "glass"}, "21.00", True),
        ),
    ),
    (
        "8000000004",
        "Laptop",
        (
            (
                "9000000401",
                {"screen": "13-inch", "processor": "i5", "ram": "16GB"},
                "1249.00",
                True,
            ),
            (
                "9000000402",
                {"screen": "15-inch", "processor": "i7", "ram": "32GB"},
                "1899.00",
                True,
            ),
            (
                "9000000403",
                {"screen": "16-inch", "processor": "i9", "ram": "64GB"},
                "2349.00",
                True,
            ),
        ),
    ),
    (
        "8000000005",
        "Office Chair",
        (
            ("9000000501", {"material": "mesh", "color": "black"}, "329.00", True),
            ("9000000502", {"material": "leather", "color": "brown"}, "449.00", True),
            ("9000000503", {"material": "mesh", "color": "grey"}, "329.00", False),
        ),
    ),
    (
        "8000000006",
        "Desk Lamp",
        (
            ("9000000601", {"bulb": "LED", "color": "white"}, "39.90", True),
            ("9000000602", {"bulb": "LED", "color": "black"}, "39.90", True),
            ("9000000603", {"bulb": "halogen", "color": "white"}, "34.50", True),
        ),
    ),
    (
        "8000000007",
        "Wireless Headphones",
        (
            ("9000000701", {"type": "over-ear", "color": "black"}, "199.00", True),
            ("9000000702", {"type": "over-ear", "color": "silver"}, "199.00", True),
            ("9000000703", {"type": "in-ear", "color": "white"}, "89.00", True),
        ),
    ),
    (
        "8000000008",
        "Backpack",
        (
            ("9000000801", {"size": "25L", "color": "navy"}, "79.00", True),
            ("9000000802", {"size": "35L", "color": "navy"}, "95.00", True),
            ("9000000803", {"size": "35L", "color": "green"}, "95.00", True),
        ),
    ),
    (
        "8000000009",
        "Coffee Maker",
        (
            ("9000000901", {"type": "drip", "capacity": "12 cups"}, "89.00", True),
            ("9000000902", {"type": "espresso", "pressure": "15 bar"}, "279.00", True),
            ("9000000903", {"type": "pour-over", "capacity": "4 cups"}, "45.00", True),
        ),
    ),
    (
        "8000000010",
        "Smart Watch",
        (
            ("9000001001", {"size": "41mm", "color": "black"}, "279.00", True),
            ("9000001002", {"size": "45mm", "color": "black"}, "309.00", True),
            ("9000001003", {"size": "45mm", "color": "silver"}, "309.00", True),
        ),
    ),
)

# customer id: address (address1, address2, city, state), payment methods
_ACCOUNTS: dict[str, tuple[tuple[str, str, str, str], tuple[dict[str, Any], ...]]] = {
    "ada_lovelace_1001": (
        ("12 Hudson Street", "Apt 4B", "New York", "NY"),
        (
            {
                "source": "credit_card",
                "id": "credit_card_1001001",
                "brand": "visa",
                "last_four": "4242",
            },
            {"source": "gift_card", "id": "gift_card_1001002", "balance": D("150.00")},
        ),
    ),
    "ben_okafor_1002": (
        ("480 Valencia Street", "", "San Francisco", "CA"),
        ({"source": "paypal", "id": "paypal_1002001"},),
    ),
    "chloe_nguyen_1003": (
        ("901 Pine Street", "Unit 12", "Seattle", "WA"),
        (
            {
                "source": "credit_card",
                "id": "credit_card_1003001",
                "brand": "mastercard",
                "last_four": "5454",
            },
            {"source": "gift_card", "id": "gift_card_1003002", "balance": D("5.00")},
        ),
    ),
    "diego_alvarez_1004": (
        ("2200 South Congress Avenue", "", "Austin", "TX"),
        (
            {
                "source": "credit_card",
                "id": "credit_card_1004001",
                "brand": "visa",
                "last_four": "1111",
            },
            {
                "source": "credit_card",
                "id": "credit_card_1004002",
                "brand": "amex",
                "last_four": "0005",
            },
        ),
    ),
    "emma_schulz_1005": (
        ("35 East Wacker Drive", "Floor 9", "Chicago", "IL"),
        (
            {"source": "paypal", "id": "paypal_1005001"},
            {"source": "gift_card", "id": "gift_card_1005002", "balance": D("500.00")},
        ),
    ),
    "farah_haddad_1006": (
        ("77 Massachusetts Avenue", "", "Cambridge", "MA"),
        (
            {
                "source": "credit_card",
                "id": "credit_card_1006001",
                "brand": "mastercard",
                "last_four": "4444",
            },
        ),
    ),
    "george_park_1007": (
        ("191 Peachtree Street", "Suite 300", "Atlanta", "GA"),
        (
            {"source": "gift_card", "id": "gift_card_1007001", "balance": D("2000.00")},
            {
                "source": "credit_card",
                "id": "credit_card_1007002",
                "brand": "visa",
                "last_four": "8888",
            },
        ),
    ),
    "hana_sato_1008": (
        ("1120 Northwest Couch Street", "", "Portland", "OR"),
        (
            {"source": "paypal", "id": "paypal_1008001"},
            {
                "source": "credit_card",
                "id": "credit_card_1008002",
                "brand": "discover",
                "last_four": "6011",
            },
        ),
    ),
}

_SHIPPED = (
    "processed",
    "delivered",
    "return requested",
    "exchange requested",
    "returned",
    "exchanged",
)


@dataclass(frozen=True)
class _DemoOrder:
    order_id: str
    customer_id: str
    status: str
    item_ids: tuple[str, ...]
    paid_with: str
    extra: tuple[tuple[str, str, str], ...] = ()  # later entries: (kind, amount, method)
    fields: tuple[tuple[str, Any], ...] = ()
    original_item_ids: tuple[str, ...] | None = None  # what was bought, when lines changed since


_ORDERS: tuple[_DemoOrder, ...] = (
    _DemoOrder(
        "#W1000001",
        "ada_lovelace_1001",
        "delivered",
        ("9000000403", "9000000701"),
        "credit_card_1001001",
    ),
    _DemoOrder(
        "#W1000002",
        "ada_lovelace_1001",
        "pending",
        ("9000000101", "9000000301"),
        "credit_card_1001001",
    ),
    _DemoOrder("#W1000003", "ada_lovelace_1001", "processed", ("9000000801",), "gift_card_1001002"),
    _DemoOrder("#W1000004", "ben_okafor_1002", "pending", ("9000000402",), "paypal_1002001"),
    _DemoOrder("#W1000005", "ben_okafor_1002", "delivered", ("9000000501",), "paypal_1002001"),
    _DemoOrder(
        "#W1000006",
        "ben_okafor_1002",
        "cancelled",
        ("9000000601",),
        "paypal_1002001",
        extra=(("refund", "39.90", "paypal_1002001"),),
        fields=(("cancel_reason", "ordered by mistake"),),
    ),
    _DemoOrder(
        "#W1000007", "chloe_nguyen_1003", "delivered", ("9000000703",), "credit_card_1003001"
    ),
    _DemoOrder(
        "#W1000008",
        "chloe_nguyen_1003",
        "pending (item modified)",
        ("9000000203",),
        "credit_card_1003001",
        extra=(("payment", "10.00", "credit_card_1003001"),),
        original_item_ids=("9000000201",),
    ),
    _DemoOrder(
        "#W1000009",
        "diego_alvarez_1004",
        "pending",
        ("9000000601", "9000000901"),
        "credit_card_1004001",
    ),
    _DemoOrder(
        "#W1000010",
        "diego_alvarez_1004",
        "return requested",
        ("9000001001",),
        "credit_card_1004002",
        fields=(
            ("return_items", ["9000001001"]),
            ("return_payment_method_id", "credit_card_1004002"),
        ),
    ),
    _DemoOrder(
        "#W1000011", "diego_alvarez_1004", "delivered", ("9000000202",), "credit_card_1004001"
    ),
    _DemoOrder(
        "#W1000012",
        "emma_schulz_1005",
        "exchange requested",
        ("9000000802",),
        "paypal_1005001",
        fields=(
            ("exchange_items", ["9000000802"]),
            ("exchange_new_items", ["9000000803"]),
            ("exchange_payment_method_id", "paypal_1005001"),
            ("exchange_price_difference", D("0.00")),
        ),
    ),
    _DemoOrder(
        "#W1000013", "emma_schulz_1005", "delivered", ("9000001003", "9000000302"), "paypal_1005001"
    ),
    _DemoOrder("#W1000014", "emma_schulz_1005", "pending", ("9000000902",), "gift_card_1005002"),
    _DemoOrder(
        "#W1000015",
        "farah_haddad_1006",
        "returned",
        ("9000000603",),
        "credit_card_1006001",
        extra=(("refund", "34.50", "credit_card_1006001"),),
        fields=(
            ("return_items", ["9000000603"]),
            ("return_payment_method_id", "credit_card_1006001"),
        ),
    ),
    _DemoOrder(
        "#W1000016", "farah_haddad_1006", "processed", ("9000000502",), "credit_card_1006001"
    ),
    _DemoOrder(
        "#W1000017",
        "george_park_1007",
        "exchanged",
        ("9000000101",),
        "gift_card_1007001",
        extra=(("refund", "2.00", "gift_card_1007001"),),
        fields=(
            ("exchange_items", ["9000000103"]),
            ("exchange_new_items", ["9000000101"]),
            ("exchange_payment_method_id", "gift_card_1007001"),
            ("exchange_price_difference", D("-2.00")),
        ),
        original_item_ids=("9000000103",),
    ),
    _DemoOrder(
        "#W1000018",
        "george_park_1007",
        "pending",
        ("9000000401", "9000000803"),
        "gift_card_1007001",
    ),
    _DemoOrder(
        "#W1000019",
        "hana_sato_1008",
        "delivered",
        ("9000000102", "9000000102", "9000000602", "9000000303"),
        "paypal_1008001",
    ),
    _DemoOrder(
        "#W1000020", "hana_sato_1008", "pending", ("9000000702", "9000001002"), "paypal_1008001"
    ),
)

_OPTIONAL_ORDER_FIELDS = (
    "cancel_reason",
    "exchange_items",
    "exchange_new_items",
    "exchange_payment_method_id",
    "exchange_price_difference",
    "return_items",
    "return_payment_method_id",
)


def demo_data() -> dict[str, Any]:
    """The demo shop as a document in τ²'s retail shape (money as `Decimal`)."""
    variants: dict[str, tuple[str, str, dict[str, str], Decimal]] = {}
    products: dict[str, Any] = {}
    for product_id, name, rows in _CATALOGUE:
        products[product_id] = {
            "name": name,
            "product_id": product_id,
            "variants": {
                item_id: {
                    "item_id": item_id,
                    "options": dict(options),
                    "available": available,
                    "price": D(price),
                }
                for item_id, options, price, available in rows
            },
        }
        for item_id, options, price, _ in rows:
            variants[item_id] = (product_id, name, options, D(price))

    users: dict[str, Any] = {}
    for customer in DEMO_CUSTOMERS:
        (address1, address2, city, state), methods = _ACCOUNTS[customer.id]
        users[customer.id] = {
            "user_id": customer.id,
            "name": {"first_name": customer.first_name, "last_name": customer.last_name},
            "address": {
                "address1": address1,
                "address2": address2,
                "city": city,
                "country": "USA",
                "state": state,
                "zip": customer.zip,
            },
            "email": customer.email,
            "payment_methods": {m["id"]: dict(m) for m in methods},
            "orders": list(customer.order_ids),
        }

    orders: dict[str, Any] = {}
    for spec in _ORDERS:
        bought = spec.original_item_ids or spec.item_ids
        paid = sum((variants[i][3] for i in bought), D("0.00"))
        history = [
            {"transaction_type": "payment", "amount": paid, "payment_method_id": spec.paid_with}
        ]
        history += [
            {"transaction_type": kind, "amount": D(amount), "payment_method_id": method}
            for kind, amount, method in spec.extra
        ]
        shipped = spec.status in _SHIPPED
        number = spec.order_id.removeprefix("#W")
        fields = dict(spec.fields)
        orders[spec.order_id] = {
            "order_id": spec.order_id,
            "user_id": spec.customer_id,
            "address": dict(users[spec.customer_id]["address"]),
            "items": [
                {
                    "name": variants[i][1],
                    "product_id": variants[i][0],
                    "item_id": i,
                    "price": variants[i][3],
                    "options": dict(variants[i][2]),
                }
                for i in spec.item_ids
            ],
            "status": spec.status,
            "fulfillments": (
                [{"tracking_id": [f"{number}00001"], "item_ids": list(bought)}] if shipped else []
            ),
            "payment_history": history,
            **{name: fields.get(name) for name in _OPTIONAL_ORDER_FIELDS},
        }
    return {"products": products, "users": users, "orders": orders}


def demo_customer(email: str) -> DemoCustomer:
    """The demo customer with this email."""
    for customer in DEMO_CUSTOMERS:
        if customer.email == email:
            return customer
    raise KeyError(email)


def store_is_empty(sessions: sessionmaker[Session]) -> bool:
    """True while the store holds no shop data (no customers, products or orders)."""
    with sessions() as session:
        return all(
            session.scalars(select(model).limit(1)).first() is None
            for model in (CustomerRow, ProductRow, OrderRow)
        )


def seed_if_empty(sessions: sessionmaker[Session], dataset: str) -> dict[str, int] | None:
    """Load `dataset` only into an empty store; None (nothing touched) otherwise.

    What `trustdesk up` runs on every start: executed actions, changed addresses and
    refunds survive a restart. Reloading the demo is `trustdesk seed --reset --yes`."""
    if not store_is_empty(sessions):
        return None
    return seed(sessions, dataset)


def seed(sessions: sessionmaker[Session], dataset: str) -> dict[str, int]:
    """Load `dataset` ("demo" or "tau2-retail") into the store, replacing the rows it wrote
    before (orders, refunds and addresses go back to the data set's)."""
    if dataset == "demo":
        return import_retail_db(sessions, demo_data())
    if dataset == "tau2-retail":
        return import_retail_db(sessions, load_reference_db())
    raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
