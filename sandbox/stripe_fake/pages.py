"""The fake Stripe's hosted pages (OAuth authorize, Checkout) from Jinja2 templates.

Templates live in `templates/` next to this module. Every value is escaped (autoescape) and a
value a template names but was not given is an error (`StrictUndefined`), as in connectbot's
own pages: what a caller puts in a query string can never become markup.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

TEMPLATES = Environment(
    loader=PackageLoader("sandbox.stripe_fake", "templates"),
    autoescape=select_autoescape(("html", "j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
)


def html_page(template: str, status: int = 200, **values: Any) -> web.Response:
    """The page `template` with `values` (escaped) as an HTML response with status `status`.

    Raises `jinja2.UndefinedError` when the template needs a value `values` lacks.
    """
    return web.Response(
        text=TEMPLATES.get_template(template).render(**values),
        status=status,
        content_type="text/html",
    )
