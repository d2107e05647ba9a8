"""Every HTML page escapes what it shows: connectbot's own pages and the fake Stripe's.

Each template is rendered with a hostile value in every field it names, and each public page
function is called with hostile values in every parameter: the raw markup never comes out.
"""

from __future__ import annotations

import inspect
from typing import Any

import jinja2
import pytest
from jinja2 import meta, nodes
from markupsafe import escape

from bot.stripe_ops.accounts import AccountState
from bot.web import pages
from bot.web.pages import checkout, onboarding
from sandbox.stripe_fake import pages as fake_pages

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"


def hostile_account() -> AccountState:
    return AccountState(
        account_id=HOSTILE,
        email=HOSTILE,
        charges_enabled=False,
        payouts_enabled=False,
        details_submitted=False,
        currently_due=(HOSTILE, HOSTILE + "2"),
    )


def assert_escaped(text: str) -> None:
    lowered = text.lower()
    assert HOSTILE not in text
    assert "<script" not in lowered and "<img" not in lowered
    assert str(escape(HOSTILE)) in text  # shown, as text


def page_templates(env: jinja2.Environment) -> list[str]:
    """The templates a page renders (not shared pieces, whose names start with `_`, nor CSS)."""
    names = env.list_templates(filter_func=lambda name: name.endswith(".html.j2"))
    return [name for name in names if not name.startswith("_")]


def fields(env: jinja2.Environment, name: str) -> set[str]:
    """The values `name` expects from its caller (plus its layout's `body` when it shows it)."""
    assert env.loader is not None
    tree = env.parse(env.loader.get_source(env, name)[0])
    imported = {node.target for node in tree.find_all(nodes.Import)}
    return meta.find_undeclared_variables(tree) - set(env.globals) - imported


#: Fields that choose what a page says rather than being shown.
FLAGS = {"connected", "link_sent"}


def hostile_value(name: str) -> Any:
    if name == "account":
        return hostile_account()
    if name == "hidden":  # the authorize page's (name, value) pairs
        return [(HOSTILE, HOSTILE)]
    return HOSTILE


@pytest.mark.parametrize(
    ("env", "name"),
    [(pages.TEMPLATES, name) for name in page_templates(pages.TEMPLATES)]
    + [(fake_pages.TEMPLATES, name) for name in page_templates(fake_pages.TEMPLATES)],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_template_escapes_every_field(env: jinja2.Environment, name: str) -> None:
    values = {field: hostile_value(field) for field in fields(env, name)}
    if name == "page.html.j2":
        values["tone"] = "info"  # picks the badge from a fixed table
    text = env.get_template(name).render(**values)
    if values.keys() - FLAGS - {"tone"}:
        assert_escaped(text)
    else:
        assert "<script" not in text.lower()


def test_every_template_is_found_and_needs_its_values() -> None:
    assert "connected.html.j2" in page_templates(pages.TEMPLATES)
    assert {"authorize.html.j2", "checkout.html.j2"} <= set(page_templates(fake_pages.TEMPLATES))
    with pytest.raises(jinja2.UndefinedError):
        pages.TEMPLATES.get_template("connected.html.j2").render(account=None)
    with pytest.raises(jinja2.UndefinedError):
        fake_pages.TEMPLATES.get_template("checkout.html.j2").render()


def hostile_arguments(function: Any) -> dict[str, Any]:
    """A hostile value for every parameter: text, an account, or True/False for a flag."""
    values: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        annotation = str(parameter.annotation)
        if "AccountState" in annotation:
            values[name] = hostile_account()
        elif annotation == "bool":
            values[name] = False
        elif annotation == "Tone":
            values[name] = "error"
        elif annotation != "int":
            values[name] = HOSTILE
    return values


PAGE_FUNCTIONS = [
    function
    for module in (onboarding, checkout)
    for name, function in inspect.getmembers(module, inspect.isfunction)
    if name.endswith("_page") and function.__module__ == module.__name__
]


@pytest.mark.parametrize("function", PAGE_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("flag", [False, True])
def test_every_page_function_escapes_its_arguments(function: Any, flag: bool) -> None:
    arguments = hostile_arguments(function)
    arguments.update({name: flag for name, value in arguments.items() if value is False})
    response = function(**arguments)
    assert response.content_type == "text/html"
    text = response.text
    lowered = text.lower()
    assert HOSTILE not in text and "<script" not in lowered and "<img" not in lowered
    if any(value == HOSTILE for value in arguments.values()):
        assert str(escape(HOSTILE)) in text


def test_a_page_shows_an_account_stripe_still_needs_details_for() -> None:
    account = hostile_account()
    assert_escaped(onboarding.connected_page(HOSTILE, account).text)
    assert_escaped(onboarding.onboarding_incomplete_page(account, HOSTILE).text)


def test_escaped_html_is_not_escaped_twice() -> None:
    # The OAuth route escapes Stripe's description before handing it over: shown once, as text.
    assert_escaped(onboarding.stripe_error_page(pages.escape(HOSTILE)).text)
    assert "&amp;lt;" not in onboarding.stripe_error_page(pages.escape(HOSTILE)).text


def test_render_page_escapes_the_title_and_keeps_the_body_markup() -> None:
    text = pages.render_page(HOSTILE, "<p>Saved.</p>", tone="success").text
    assert_escaped(text)
    assert "<p>Saved.</p>" in text
