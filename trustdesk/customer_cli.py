"""`trustdesk customer export|erase EMAIL`: what is stored about a customer, and erasing it."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from jinja2 import Environment, select_autoescape

from domain.consent import CONSENT_FLAGS
from trustdesk.config import Settings

EXPORT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your data at Trustdesk</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
.msg{margin:.25rem 0}.role{font-weight:600}</style></head><body>
<h1>What we store about {{ c.first_name }} {{ c.last_name }}</h1>
<h2>Profile</h2>
<table><tr><th>Email</th><td>{{ c.email }}</td></tr>
<tr><th>Address</th><td>{{ c.address.values() | select | join(", ") }}</td></tr></table>
<h2>What you allowed us to use</h2>
<ul>{% for flag, allowed in data.consent.items() %}<li>{{ flags[flag] }}:
<strong>{{ "yes" if allowed else "no" }}</strong></li>{% endfor %}</ul>
<h2>Payment methods</h2>
<ul>{% for p in data.payment_methods %}<li>{{ p.kind }} {{ p.brand or "" }}
{% if p.last_four %}ending {{ p.last_four }}{% endif %}</li>{% endfor %}</ul>
<h2>Orders</h2>
{% for o in data.orders %}<h3>Order {{ o.id }} ({{ o.status }})</h3>
<ul>{% for i in o["items"] %}<li>{{ i.name }}: {{ i.price }}</li>{% endfor %}</ul>{% endfor %}
<h2>Conversations</h2>
{% for case in data.cases %}<h3>{{ case.channel }} conversation, {{ case.opened }}
({{ case.status }})</h3>
{% for m in case.messages %}<p class="msg"><span class="role">{{ m.role }}:</span>
{{ m.text }}</p>{% endfor %}{% else %}<p>None.</p>{% endfor %}
<p>To have this erased, ask support or reply to any of our messages.</p>
</body></html>
"""


def render_export_page(data: dict[str, Any]) -> str:
    """The export as a readable, escaped HTML page."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(EXPORT_PAGE).render(data=data, c=data["customer"], flags=CONSENT_FLAGS)


def add_parser(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("customer", help="export or erase what is stored about a customer")
    commands = p.add_subparsers(dest="customer_command", required=True)
    export = commands.add_parser("export", help="print the customer's data as JSON")
    export.add_argument("email")
    export.add_argument("--html", type=Path, help="also write a readable page to this file")
    erase = commands.add_parser(
        "erase", help="erase the customer: conversations and histories gone, orders pseudonymised"
    )
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="confirm: erasure cannot be undone")
    erase.add_argument(
        "--no-temporal",
        action="store_true",
        help="do not reach Temporal (histories are still unreadable: their keys are destroyed)",
    )
    for q in (export, erase):
        common(q)


def customer_command(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    import getpass

    from store.db import make_engine, migrate, session_factory
    from trustdesk.privacy import CustomerNotFoundError, export_customer, export_json

    migrate(settings.store_url)
    sessions = session_factory(make_engine(settings.store_url))
    try:
        if args.customer_command == "export":
            data = export_customer(sessions, args.email, actor=f"cli:{getpass.getuser()}")
            out.write(export_json(data) + "\n")
            if args.html is not None:
                args.html.write_text(render_export_page(data))
            return 0
        if not args.yes:
            out.write("erasure cannot be undone: add --yes to erase this customer\n")
            return 2
        report = asyncio.run(_erase(settings, args.email, use_temporal=not args.no_temporal))
    except CustomerNotFoundError as exc:
        out.write(f"{exc}\n")
        return 1
    out.write(
        f"erased {report.customer_id} -> {report.pseudonym}: {len(report.cases)} cases, "
        f"{report.messages_deleted} messages deleted, {report.keys_shredded} history keys "
        f"destroyed, {report.workflows_terminated} running cases stopped, "
        f"{report.workflows_deleted} histories deleted\n"
    )
    return 0


async def _erase(settings: Settings, email: str, *, use_temporal: bool) -> Any:
    import getpass

    from store.db import make_engine, session_factory
    from trustdesk.encryption import case_keys_for
    from trustdesk.privacy import erase_customer

    sessions = session_factory(make_engine(settings.store_url))
    client = None
    if use_temporal:
        from trustdesk.temporal_client import connect

        client = await connect(settings)
    return await erase_customer(
        sessions, case_keys_for(settings), client, email, actor=f"cli:{getpass.getuser()}"
    )
