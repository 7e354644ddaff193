"""What the shop sells, for a question about it: "do you have the 45mm smart watch in silver?".

A question about stock, versions or price that names one of the shop's products is
answered from the catalog itself (`catalog_answer`): the versions that match the option
values the customer named, each with its price and whether it is in stock, or the
versions there are when none matches. No identity is needed: the catalog is public.
Questions a catalog cannot answer (what a product is made of, whether it fits) are left
to the help articles and to a person. Pure: regular expressions and `Decimal`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from domain.matching import lines_named, requested_options
from domain.retail import Product, Variant

# What a catalog can answer: whether something is sold or in stock, its versions, its price.
_STOCK_OR_PRICE = re.compile(
    r"\b(?:do you (?:have|sell|carry|stock|make)|have you got|in stock|out of stock|sold out|"
    r"available|availability|back in stock|restock|still (?:have|sell)|come[s]? in|"
    r"(?:which|what) (?:colou?rs?|sizes?|versions?|options?|models?|capacit(?:y|ies))|"
    r"how much|price|cost|costs)\b",
    re.IGNORECASE,
)
#: At most this many versions are listed in one answer.
MAX_LISTED = 6


class Offer(BaseModel):
    """One version of a product, as a customer sees it."""

    model_config = ConfigDict(frozen=True)

    options: dict[str, str]
    price: Decimal
    available: bool


class CatalogAnswer(BaseModel):
    """The catalog's answer about one product."""

    model_config = ConfigDict(frozen=True)

    product: str
    # The option values the customer named ("45mm", "silver"); empty when none.
    asked: dict[str, str]
    # The versions that have every value asked for (all versions when none was asked).
    matching: tuple[Offer, ...]
    # When nothing matches what was asked: the versions there are, in stock first.
    instead: tuple[Offer, ...] = ()


@dataclass(frozen=True)
class _Named:
    """A product as `lines_named` reads names."""

    item_id: str
    name: str
    options: Mapping[str, str]


# A price match or a refund of a difference asks for money back, not for a price.
_PRICE_CLAIM = re.compile(
    r"\b(?:price[- ]?match\w*|match (?:the|that|their|this|a|its) price|"
    r"(?:refund|pay|give) (?:me )?(?:back )?the difference|cheaper (?:at|on|in|from|elsewhere|"
    r"somewhere)|(?:dropped|lowered|reduced|went down) (?:in|the) price|price (?:drop|went down))",
    re.IGNORECASE,
)


def asks_about_stock_or_price(message: str) -> bool:
    """Whether the question is one the catalog answers (stock, versions, price); a claim
    about a price ("will you match that price and refund the difference?") is not."""
    return bool(_STOCK_OR_PRICE.search(message)) and not _PRICE_CLAIM.search(message)


def products_named(message: str, products: Sequence[Product]) -> list[Product]:
    """The shop's products the message names, by name or a usual spelling."""
    by_id = {p.id: p for p in products}
    named = lines_named(message, [_Named(p.id, p.name, {}) for p in products])
    return [by_id[n.item_id] for n in named if n.item_id in by_id]


def catalog_answer(message: str, products: Sequence[Product]) -> CatalogAnswer | None:
    """The catalog's answer to a stock, version or price question about exactly one of
    the shop's products; None when the message asks nothing the catalog answers."""
    if not asks_about_stock_or_price(message):
        return None
    named = products_named(message, products)
    if len({p.name.lower() for p in named}) != 1:
        return None
    # One name may be listed more than once (two ranges of one product): one answer.
    product = Product(
        id=named[0].id, name=named[0].name, variants=tuple(v for p in named for v in p.variants)
    )
    if not product.variants:
        return None
    asked = requested_options(message, product.variants)
    matching = [
        v for v in product.variants if all(v.options.get(k) == w for k, w in asked.items())
    ]
    ranked = sorted(product.variants, key=lambda v: (not v.available, v.price))

    matching.sort(key=lambda v: (not v.available, v.price))
    return CatalogAnswer(
        product=product.name,
        asked=asked,
        matching=_offers(matching),
        instead=() if matching else _offers(ranked),
    )


def _offers(variants: Sequence[Variant]) -> tuple[Offer, ...]:
    return tuple(
        Offer(options=dict(v.options), price=v.price, available=v.available)
        for v in variants[:MAX_LISTED]
    )
