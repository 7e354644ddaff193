"""Whether an inbound email's sender is proven, from the receiving server's verdict.

The mail server in front of Trustdesk checks DKIM and SPF and writes its verdict in an
`Authentication-Results` header (RFC 8601) named by its authserv-id; such a server
removes headers that claim its id from the incoming message, so only one from a
configured, trusted authserv-id counts. The sender is proven when that header says
DKIM passed for the From address's domain (`header.d`, the domain or a parent of it)
or SPF passed for an envelope sender of that domain. Parsing is `authres`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable

import authres

log = logging.getLogger("trustdesk.email")


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower()


def _aligned(signing: str, from_domain: str) -> bool:
    signing = signing.lower().strip(".")
    return bool(signing) and (from_domain == signing or from_domain.endswith("." + signing))


def sender_proven(
    headers: Iterable[str], from_address: str, trusted_authserv_ids: Collection[str]
) -> bool:
    """Whether a trusted `Authentication-Results` header shows DKIM or SPF pass for the sender."""
    trusted = {t.lower() for t in trusted_authserv_ids}
    from_domain = _domain(from_address)
    if not trusted or not from_domain:
        return False
    for value in headers:
        try:
            parsed = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
        except Exception:  # noqa: BLE001 - an unreadable verdict proves nothing
            log.info("an Authentication-Results header could not be read: %r", value[:200])
            continue
        if str(parsed.authserv_id).lower() not in trusted:
            continue
        for result in parsed.results:
            method, verdict = str(result.method).lower(), str(result.result).lower()
            if verdict != "pass":
                continue
            props = {(p.type, p.name): str(p.value) for p in result.properties}
            if method == "dkim" and _aligned(props.get(("header", "d"), ""), from_domain):
                return True
            if method == "spf" and _domain(props.get(("smtp", "mailfrom"), "")) == from_domain:
                return True
    return False
