"""Small HTML pages for people who arrive in a browser (OAuth callback, Checkout return, …).

Every page is a Jinja2 template in `bot/web/templates/` extending `page.html.j2`, the one
shared, styled, framework-free page. One environment renders them all: it escapes every value
(autoescape) and refuses a value a template names but was not given (`StrictUndefined`), so a
value from a request or from Stripe cannot reach a page as markup by mistake. Pages never show
a stack trace; they say what happened and what to do next.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from markupsafe import escape as _escape

Tone = Literal["success", "info", "warning", "error"]

TEMPLATES = Environment(
    loader=PackageLoader("bot.web", "templates"),
    # Every template is HTML, including one rendered from a string in a test.
    autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.globals["icons"] = {"success": "✓", "info": "i", "warning": "!", "error": "×"}

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Nothing but the inline style: no script, frame, form, base or other origin.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
}


def escape(text: object) -> Markup:
    """`text` made safe to put inside a page body or attribute (a `str`, marked as markup).

    A template escapes values itself; this is for a value handed to a page function whose
    parameter takes HTML (`render_page`'s body, `stripe_error_page`).
    """
    return _escape(str(text))


def render(template: str, status: int = 200, **values: Any) -> web.Response:
    """The page `template` (a file in `bot/web/templates/`) with `values`, as an HTML response.

    Every value is escaped unless it is `Markup`. A value the template uses but `values` lacks
    raises `jinja2.UndefinedError` rather than showing an empty string. The response is never
    cached (it reports a one-off outcome) and allows no script, frame or form.
    """
    return web.Response(
        text=TEMPLATES.get_template(template).render(**values),
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers=_HEADERS,
    )


def render_page(title: str, body: str, status: int = 200, *, tone: Tone = "info") -> web.Response:
    """A complete HTML page: `title` (plain text, escaped here) above `body` (an HTML fragment).

    `body` is shown as markup: pass only HTML written in code, with any other value through
    `escape`; a page that shows values is better written as a template for `render`. `tone`
    picks the badge colour.
    """
    # The one way past escaping, on purpose: callers pass HTML literals from connectbot's code.
    return render("page.html.j2", status, title=title, body=Markup(body), tone=tone)  # noqa: S704
