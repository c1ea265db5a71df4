"""API docs work without internet: /docs and /redoc load every asset from the app itself."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_nothing_from_another_host(svc, page):
    r = svc.client.get(page)
    assert r.status_code == 200
    html = r.text
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""(?:url|openapi_url|spec-url)\s*[:=]\s*["']([^"']+)["']""", html)
    assert urls, html[:500]
    assert not [u for u in urls if "//" in u], urls  # no absolute or protocol-relative URL: no CDN, no fonts
    for u in {u for u in urls if u.startswith("/")}:
        assert svc.client.get(u).status_code == 200, u
    assert not re.search(r"https?://(?!127\.0\.0\.1)", html.replace("http://www.w3.org", ""))
