"""Settings, read once at the edges (CLI, worker, web) and passed inward."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.identity import TAU2_RULES
from domain.policy import Policy, load_policy


class WebhookProvider(BaseModel):
    """A messaging provider that posts customer messages to /api/channels/webhook/<name>."""

    secret: str = Field(min_length=16, repr=False, description="Shared HMAC-SHA256 key.")
    outbound_url: str | None = Field(
        default=None, description="Where replies are POSTed, signed with the same key."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRUSTDESK_", extra="ignore")

    data_dir: Path = Path(".trustdesk")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; a SQLite file in the data dir when unset."
    )
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    # A production Temporal (docs: README, "Production Temporal"): mutual TLS and/or an API key.
    temporal_tls_cert: Path | None = Field(default=None, description="Client certificate (PEM).")
    temporal_tls_key: Path | None = Field(default=None, description="Client key (PEM).")
    temporal_tls_ca: Path | None = Field(
        default=None, description="CA that signed the server's certificate (PEM)."
    )
    temporal_tls_server_name: str | None = None
    temporal_tls: bool = Field(
        default=False, description="TLS with the system's CAs (implied by any TLS file)."
    )
    temporal_api_key: str | None = Field(default=None, repr=False)
    task_queue: str = "trustdesk-cases"
    temporal_port: int = 7233
    ui_port: int = 8233
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    policy_file: Path | None = None
    dataset: str = Field(
        default="demo",
        description="The data set the store was seeded with; "
        "tau2-retail runs under τ²'s identity rule.",
    )
    mail_sink: bool = Field(
        default=False,
        description="Keep one-time-code emails in the store for the review UI's /review/mail "
        "instead of relaying them (trustdesk up's embedded default).",
    )
    trusted_authserv_ids: list[str] = Field(
        default_factory=list,
        description="authserv-ids of the receiving mail servers whose Authentication-Results "
        "headers the email channel trusts for DKIM/SPF.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs tokens and sessions; generated into the data dir when unset.",
    )
    approval_signing_key: str | None = Field(
        default=None,
        repr=False,
        description="Ed25519 key the web process signs approvals with (base64url seed or PEM); "
        "generated into the data dir when unset.",
    )
    approval_verify_keys: list[str] = Field(
        default_factory=list,
        description="Ed25519 public keys (base64url) whose signed approvals workers accept; "
        "the data dir's key when empty.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For names "
        "the client (sign-in throttling); with none, the connection's peer is the client.",
    )
    audit_checkpoint_file: Path | None = Field(
        default=None,
        description="Where signed audit-chain heads are appended, outside the database; "
        "audit-checkpoints.jsonl in the data dir when unset.",
    )
    max_message_chars: int = 8000
    approval_sla_minutes: int | None = None
    # Operator controls and the trust dashboard (README, "Metrics").
    recontact_days: int = Field(
        default=7,
        ge=1,
        le=90,
        description="A case counts as resolved only when the customer "
        "does not come back about the same order within this many days.",
    )
    killed_categories: list[str] = Field(
        default_factory=list, description="Categories never handled alone, whatever the gate says."
    )
    shadow_categories: list[str] = Field(
        default_factory=list,
        description="Categories in shadow mode: the agent drafts each reply and a person sends "
        "or edits it; the agent runs no action on its own.",
    )
    public_url: str | None = Field(
        default=None,
        description="The web process's address as customers reach it, for links in emails "
        "(rating links); http://<web_host>:<web_port> when unset.",
    )
    canary_shares: dict[str, Decimal] = Field(
        default_factory=dict,
        description="Share of cases (0 to 1) a newly enabled category is autonomous for, e.g. "
        'TRUSTDESK_CANARY_SHARES=\'{"exchange": "0.1"}\'.',
    )
    # Channels (docs/architecture.md, "Channels").
    support_address: str = "support@trustdesk.localhost"
    smtp_listen_host: str = "127.0.0.1"
    smtp_listen_port: int = 2525
    smtp_relay_host: str = "127.0.0.1"
    smtp_relay_port: int = 25
    smtp_relay_starttls: bool = False
    smtp_relay_username: str | None = None
    smtp_relay_password: str | None = Field(default=None, repr=False)
    email_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    webhooks: dict[str, WebhookProvider] = Field(
        default_factory=dict,
        description='By provider name, e.g. TRUSTDESK_WEBHOOKS=\'{"sms": {"secret": "…", '
        '"outbound_url": "https://…"}}\'.',
    )
    webhook_window_seconds: int = Field(default=300, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    chat_frame_ancestors: list[str] = Field(
        default_factory=list, description="Origins allowed to embed /chat in a frame."
    )
    # Monitoring (docs/architecture.md, "Monitoring").
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        repr=False,
        description="Serves GET /metrics to requests with `Authorization: Bearer <token>`; "
        "/metrics answers 404 while unset.",
    )
    worker_metrics_address: str | None = Field(
        default=None,
        description="host:port where the agent worker serves Temporal's SDK metrics at "
        "/metrics, without authentication: bind it to a private address. Off when unset.",
    )
    worker_max_cached_workflows: int = Field(
        default=1000,
        ge=0,
        description="Cases the agent worker keeps in memory between turns (the SDK's "
        "workflow cache). A case evicted from it is rebuilt from its history on its next "
        "event; 0 rebuilds every case on every event.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP traces URL (e.g. http://collector:4318/v1/traces); tracing is "
        "off unless this or the standard OTEL_EXPORTER_OTLP_ENDPOINT is set "
        "(trustdesk/tracing.py; needs the `otlp` extra).",
    )
    # Privacy (docs/architecture.md, "Privacy").
    encryption_keys: dict[str, str] = Field(
        default_factory=dict,
        repr=False,
        description="Master keys that encrypt Temporal payloads, by key id: 32 random bytes, "
        'urlsafe base64, e.g. TRUSTDESK_ENCRYPTION_KEYS=\'{"2026-12": "…"}\'. Keep retired keys '
        "here so old histories still decrypt; a key file in the data dir when unset.",
    )
    encryption_key_id: str | None = Field(
        default=None,
        description="Which of `encryption_keys` encrypts new data; the last one listed when unset.",
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        description="Closed cases untouched this long lose their conversation and history keys "
        "(a daily Temporal Schedule, `trustdesk-retention`); kept forever when unset.",
    )
    anthropic_api_key: str | None = Field(
        default=None,
        repr=False,
        # The SDK's own variable works too; the prefixed one wins when both are set.
        validation_alias=AliasChoices(
            "TRUSTDESK_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY", "anthropic_api_key"
        ),
        description="Enables the Claude brain (docs/claude.md); the offline brain runs when unset.",
    )
    anthropic_model: str = "claude-sonnet-4-6"
    anthropic_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Per request; below the brain activities' own timeouts."
    )

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'trustdesk.db').resolve()}"

    @property
    def audit_checkpoints(self) -> Path:
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def public_base_url(self) -> str:
        return self.public_url or f"http://{self.web_host}:{self.web_port}"

    @property
    def temporal_ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    @cached_property
    def policy(self) -> Policy:
        policy = load_policy(self.policy_file)
        if self.dataset == "tau2-retail":
            policy = policy.model_copy(update={"identity": TAU2_RULES})
        if self.approval_sla_minutes is not None:
            policy = policy.model_copy(update={"approval_sla_minutes": self.approval_sla_minutes})
        return policy

    def master_keys(self) -> tuple[str, dict[str, bytes]]:
        """The active master key's id and every master key by id: configured, or created
        once in the data dir (owner-only) for the embedded default."""
        import base64
        import json

        keys = dict(self.encryption_keys)
        active = self.encryption_key_id
        if not keys:
            path = self.data_dir / "encryption.keys"
            if not path.exists():
                import contextlib
                import os
                import secrets

                self.data_dir.mkdir(parents=True, exist_ok=True)
                created = {"k1": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}
                draft = path.with_name(f".{path.name}.{os.getpid()}")
                fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as out:
                    json.dump({"active": "k1", "keys": created}, out)
                # Processes starting together (`trustdesk up`) agree on the first file linked.
                with contextlib.suppress(FileExistsError):
                    os.link(draft, path)
                draft.unlink()
            stored = json.loads(path.read_text())
            keys, active = stored["keys"], active or stored["active"]
        decoded = {kid: base64.urlsafe_b64decode(value) for kid, value in keys.items()}
        active = active or list(decoded)[-1]
        if active not in decoded:
            raise ValueError(f"encryption_key_id {active!r} is not one of encryption_keys")
        if any(len(key) != 32 for key in decoded.values()):
            raise ValueError("every encryption key must be 32 bytes (urlsafe base64)")
        return active, decoded

    def secret(self) -> str:
        """The signing secret: configured, or created once in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
