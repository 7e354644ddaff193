"""The Temporal connection every process makes, with the deployment's TLS and API key.

`workflows.gateway.connect` makes the client (the pydantic data converter every client of
cases needs); this module reads what it needs from the settings: mutual TLS from PEM files,
plain TLS, an API key (Temporal Cloud), or none of them for the embedded dev server.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.service import TLSConfig

from trustdesk.config import Settings
from trustdesk.encryption import case_keys_for, encrypted_converter
from trustdesk.tracing import tracing_interceptors
from workflows.gateway import connect as connect_client


def tls_config(settings: Settings) -> TLSConfig | bool:
    """TLS for the Temporal connection: mutual TLS from the configured PEM files, plain
    TLS when only asked for (or when an API key is set, which needs it), else none."""
    files = (settings.temporal_tls_cert, settings.temporal_tls_key, settings.temporal_tls_ca)
    if not any(files) and settings.temporal_tls_server_name is None:
        return settings.temporal_tls or settings.temporal_api_key is not None
    cert, key, ca = (None if f is None else f.read_bytes() for f in files)
    return TLSConfig(
        client_cert=cert,
        client_private_key=key,
        server_root_ca_cert=ca,
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings, process: str = "client") -> Client:
    """A client of the configured Temporal service, its payloads encrypted per case
    (trustdesk/encryption.py), traced when tracing is configured (trustdesk/tracing.py;
    `process` names the service in traces: web, worker, email…)."""
    return await connect_client(
        settings.temporal_address,
        settings.temporal_namespace,
        tls=tls_config(settings),
        api_key=settings.temporal_api_key,
        data_converter=encrypted_converter(case_keys_for(settings)),
        interceptors=tracing_interceptors(settings, process),
    )
