"""`/docs` and `/redoc` render without network: every script, stylesheet and icon the pages reference is served by
this app itself (a reference to another host would fail offline), and each answers 200 with content."""

from __future__ import annotations

import re

import httpx
import pytest

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'|spec-url=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_reference_only_assets_this_server_serves(client: httpx.AsyncClient, page: str) -> None:
    html = (await client.get(page)).text
    referenced = {next(g for g in m.groups() if g) for m in ASSET.finditer(html)}
    referenced |= set(re.findall(r"""['"](/openapi\.json)['"]""", html))
    assert referenced, html
    assert not [u for u in referenced if re.match(r"^(https?:)?//", u)], referenced  # no CDN, no web fonts
    for url in referenced:
        response = await client.get(url)
        assert response.status_code == 200 and response.content, url
