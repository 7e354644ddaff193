"""The name a customer goes by where their id must not appear. Pure.

The audit chain cannot be rewritten, so its events name a customer by this pseudonym,
never by an id that names the person; an erasure replaces the customer row with one of
this id, which the kept orders and payments then point at.
"""

from __future__ import annotations

import hashlib


def customer_pseudonym(customer_id: str) -> str:
    """The name an erased customer keeps, and audit events use for a customer."""
    return "erased-" + hashlib.sha256(f"trustdesk-erasure:{customer_id}".encode()).hexdigest()[:16]


def customer_actor(customer_id: str) -> str:
    """The audit actor of something the customer did themselves (in chat or by email)."""
    return f"customer:{customer_pseudonym(customer_id)}"
