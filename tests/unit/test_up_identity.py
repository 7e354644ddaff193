"""What `trustdesk up` tells its children about identity: the data set and the mail sink."""

from __future__ import annotations

from pathlib import Path

from domain.identity import TAU2_RULES, IdentityLevel
from trustdesk.config import Settings
from trustdesk.up import child_env, embedded_defaults


def test_the_embedded_default_keeps_code_emails_in_the_mail_sink(tmp_path: Path) -> None:
    settings = embedded_defaults(Settings(data_dir=tmp_path), "demo", environ={})
    env = child_env(settings)
    assert env["TRUSTDESK_MAIL_SINK"] == "True" and env["TRUSTDESK_DATASET"] == "demo"
    assert Settings.model_validate({"mail_sink": env["TRUSTDESK_MAIL_SINK"]}).mail_sink is True
    assert settings.policy.identity.change is IdentityLevel.ONE_TIME_CODE


def test_a_configured_relay_gets_the_codes(tmp_path: Path) -> None:
    settings = embedded_defaults(
        Settings(data_dir=tmp_path), "demo", environ={"TRUSTDESK_SMTP_RELAY_HOST": "mx"}
    )
    assert settings.mail_sink is False


def test_the_tau2_data_set_runs_under_tau2s_rule(tmp_path: Path) -> None:
    settings = embedded_defaults(Settings(data_dir=tmp_path), "tau2-retail", environ={})
    assert settings.policy.identity == TAU2_RULES
    assert Settings(data_dir=tmp_path, dataset="tau2-retail").policy.identity == TAU2_RULES
