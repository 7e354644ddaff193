"""Where the operator controls and the policy version come from, for the worker and the web.

Configuration (`TRUSTDESK_KILLED_CATEGORIES`, `TRUSTDESK_CANARY_SHARES`,
`TRUSTDESK_SHADOW_CATEGORIES`) gives the starting
point; what an admin sets in the review UI (`/review/admin/controls`, stored with who and
when) overrides it per category. The policy version covers the policy file's bytes, the
gate's autonomy list and these controls (`domain.controls.policy_version`): a turn that
calls `effective_autonomy` records this version beside its decision.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from domain.controls import OperatorControls, policy_version
from domain.policy import DEFAULT_POLICY_PATH
from store.trust import read_controls
from trustdesk.config import Settings


def load_operator_controls(settings: Settings, sessions: sessionmaker[Session]) -> OperatorControls:
    return read_controls(
        sessions,
        configured_killed=frozenset(settings.killed_categories),
        configured_canary=settings.canary_shares,
        configured_shadow=frozenset(settings.shadow_categories),
    )


def gated_categories(settings: Settings) -> frozenset[str]:
    """The categories the accuracy gate cleared, as recorded in the data dir."""
    from brain.validation import autonomy_path, read_autonomy  # loads numpy: only when asked

    document = read_autonomy(autonomy_path(settings.data_dir)) or {}
    return frozenset(str(c) for c in document.get("autonomous") or ())


def current_policy_version(
    settings: Settings, controls: OperatorControls, gated: frozenset[str]
) -> str:
    policy_text = (settings.policy_file or DEFAULT_POLICY_PATH).read_bytes()
    return policy_version(policy_text, gated, controls)
