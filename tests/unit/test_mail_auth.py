"""The email channel's check of a sender: a trusted server's DKIM/SPF verdict, or nothing."""

from __future__ import annotations

import pytest

from workers.mail_auth import sender_proven

TRUSTED = ["mx.shop.test"]
ADA = "ada@example.com"


@pytest.mark.parametrize(
    ("headers", "sender", "proven"),
    [
        (["mx.shop.test; dkim=pass header.d=example.com"], ADA, True),
        (["mx.shop.test; dkim=pass header.d=example.com"], "ada@mail.example.com", True),
        (["mx.shop.test; spf=pass smtp.mailfrom=bounce@example.com"], ADA, True),
        # failing, neutral or missing verdicts
        (["mx.shop.test; dkim=fail header.d=example.com"], ADA, False),
        (["mx.shop.test; spf=softfail smtp.mailfrom=ada@example.com"], ADA, False),
        (["mx.shop.test; none"], ADA, False),
        ([], ADA, False),
        # a pass for another domain than the From address's
        (["mx.shop.test; dkim=pass header.d=attacker.test"], ADA, False),
        (["mx.shop.test; dkim=pass header.d=ample.com"], ADA, False),
        (["mx.shop.test; spf=pass smtp.mailfrom=x@attacker.test"], ADA, False),
        # a verdict written by a server that is not trusted (e.g. by the sender itself)
        (["attacker.test; dkim=pass header.d=example.com"], ADA, False),
        # an unreadable header is skipped, a readable trusted one still counts
        (["; ;;; garbage", "mx.shop.test; dkim=pass header.d=example.com"], ADA, True),
    ],
)
def test_sender_proven(headers: list[str], sender: str, proven: bool) -> None:
    assert sender_proven(headers, sender, TRUSTED) is proven


def test_nothing_is_proven_without_a_trusted_server() -> None:
    assert not sender_proven(["mx.shop.test; dkim=pass header.d=example.com"], ADA, [])
