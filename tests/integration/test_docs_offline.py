"""/docs and /redoc work offline: every asset they load is served by Trustdesk itself."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from store.db import make_engine, migrate, session_factory
from trustdesk.config import Settings
from web.app import create_app

ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
URL_IN_CODE = re.compile(r"""https?://[^\s"'<>)]+""")


@pytest.fixture
async def http(tmp_path: Path) -> httpx.AsyncClient:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    migrate(url)
    settings = Settings(data_dir=tmp_path, secret_key="docs-offline-" + "x" * 32)
    app = create_app(settings, gateway=None, sessions=session_factory(make_engine(url)))
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://trustdesk.test"
    )


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_reference_no_external_host(http: httpx.AsyncClient, page: str) -> None:
    async with http:
        r = await http.get(page)
        assert r.status_code == 200
        html = r.text
        assert URL_IN_CODE.findall(html) == [], "the page names an external host"
        assets = ATTRIBUTE.findall(html)
        assert assets, "no assets found: the page changed shape"
        for asset in assets:
            assert asset.startswith("/") and not asset.startswith("//"), asset
            assert (await http.get(asset)).status_code == 200, asset
        # Swagger UI's online validator would call out to a third party.
        if page == "/docs":
            assert '"validatorUrl": null' in html
            assert "/openapi.json" in html
