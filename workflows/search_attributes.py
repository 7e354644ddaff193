"""Trustdesk's custom Temporal search attributes, as typed keys.

This module imports only ``temporalio.common`` so workflow code can import it
inside the workflow sandbox at no cost. The dev server registers every name in
``SEARCH_ATTRIBUTES`` at start-up (see ``trustdesk.temporal_server``); tests
pass ``ALL_KEYS`` to ``WorkflowEnvironment.start_local``.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

#: Name -> type, in the spelling the ``temporal`` CLI's ``--search-attribute`` expects.
SEARCH_ATTRIBUTES: dict[str, str] = {
    "CaseStatus": "Keyword",
    "CaseCategory": "Keyword",
    "CustomerId": "Keyword",
    "RiskLevel": "Keyword",
    "Amount": "Double",
    "Channel": "Keyword",
}

CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CASE_CATEGORY = SearchAttributeKey.for_keyword("CaseCategory")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
RISK_LEVEL = SearchAttributeKey.for_keyword("RiskLevel")
AMOUNT = SearchAttributeKey.for_float("Amount")
CHANNEL = SearchAttributeKey.for_keyword("Channel")

#: Every key above, in the order of ``SEARCH_ATTRIBUTES``.
ALL_KEYS: tuple[SearchAttributeKey[Any], ...] = (
    CASE_STATUS,
    CASE_CATEGORY,
    CUSTOMER_ID,
    RISK_LEVEL,
    AMOUNT,
    CHANNEL,
)

__all__ = [
    "ALL_KEYS",
    "AMOUNT",
    "CASE_CATEGORY",
    "CASE_STATUS",
    "CHANNEL",
    "CUSTOMER_ID",
    "RISK_LEVEL",
    "SEARCH_ATTRIBUTES",
]
