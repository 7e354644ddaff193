"""Money is `Decimal`, rounded to cents once, at the boundary where it enters Trustdesk."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidMoney

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str | float) -> Decimal:
    """Parse an amount into a cent-exact `Decimal`.

    Floats are accepted only here, at the edge (the τ²-retail data set stores
    prices as JSON numbers); they go through `str` so 50.88 stays 50.88.
    """
    if isinstance(value, bool):
        raise InvalidMoney(f"not an amount: {value!r}")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise InvalidMoney(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise InvalidMoney(f"not a finite amount: {value!r}")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise InvalidMoney(f"not a representable amount: {value!r}") from exc


def format_money(amount: Decimal) -> str:
    """`1819.92` → `"1,819.92"`: how amounts are shown to people."""
    return f"{amount.quantize(CENT):,}"
