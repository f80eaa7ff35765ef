"""`/docs` (Swagger UI) and `/redoc` (ReDoc) served from assets shipped in a Python package, never from a CDN.

Contract: the pages reference only this server: the JavaScript, CSS and favicon come from the `fastapi-offline`
package's `static` directory, mounted at `/static-docs`, and ReDoc loads no web fonts. So the docs render on a
machine without network (tests/api/test_docs_offline.py fetches every asset each page references).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/static-docs"


def install_docs(app: FastAPI) -> None:
    """Add the two pages and their assets to an app built with `docs_url=None, redoc_url=None`."""
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="static-docs")
    title = app.title

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{title} - Swagger UI",
                                   oauth2_redirect_url="/docs/oauth2-redirect",
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url=f"{PREFIX}/favicon.png")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{title} - ReDoc",
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js", redoc_favicon_url=f"{PREFIX}/favicon.png",
                              with_google_fonts=False)
