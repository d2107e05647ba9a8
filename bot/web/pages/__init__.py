"""Small HTML pages for people who arrive in a browser (OAuth callback, Checkout return, …).

`render_page` wraps a body fragment in one shared, styled, framework-free page. The body is
HTML: escape anything that came from a request or from Stripe with `escape` first. Pages never
show a stack trace; they say what happened and what to do next.
"""

from __future__ import annotations

import html
from importlib import resources
from string import Template
from typing import Literal

from aiohttp import web

Tone = Literal["success", "info", "warning", "error"]

_FILES = resources.files(__name__)
_TEMPLATE = Template(_FILES.joinpath("page.html").read_text(encoding="utf-8"))
_STYLE = _FILES.joinpath("style.css").read_text(encoding="utf-8")
_ICONS: dict[str, str] = {"success": "✓", "info": "i", "warning": "!", "error": "×"}


def escape(text: object) -> str:
    """`text` made safe to put inside a page body or attribute."""
    return html.escape(str(text), quote=True)


def render_page(title: str, body: str, status: int = 200, *, tone: Tone = "info") -> web.Response:
    """A complete HTML page: `title` (plain text, escaped here) above `body` (an HTML fragment).

    `tone` picks the badge colour. The response is never cached: it reports a one-off outcome.
    """
    page = _TEMPLATE.substitute(
        title=escape(title),
        body=body,
        style=_STYLE,
        tone=tone,
        icon=_ICONS[tone],
    )
    return web.Response(
        text=page,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            # Nothing but the inline style: no script, frame, form, base or other origin.
            "Content-Security-Policy": (
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                "base-uri 'none'; form-action 'none'"
            ),
        },
    )
