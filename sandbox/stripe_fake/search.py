"""Searching PaymentIntents, listing refunds, and the ``created`` filter of list endpoints.

Search (``GET /v1/payment_intents/search``) follows Stripe's "Search query language"
(https://docs.stripe.com/search#search-query-language): a clause is a field, an operator and a
value (``status:'succeeded'``, ``metadata['order']:'6735'``, ``amount>1000``); clauses are
separated by spaces or the ``AND`` / ``OR`` keywords (case insensitive), which are mutually
exclusive; a leading ``-`` negates a clause; at most 10 clauses. Exact matches (``:``) of strings
are case insensitive; numeric fields take ``:``, ``=``, ``>``, ``<``, ``>=``, ``<=``. The
PaymentIntent fields are the documented ones ("Query fields for PaymentIntents": amount,
created, currency, customer, metadata, status). Results come newest first, ``limit`` (1–100,
default 10) per page, ``next_page`` as the cursor for ``page``.

Search is eventually consistent: "Don't use search in read-after-write flows where strict
consistency is necessary. Under normal operating conditions, data is searchable in less than a
minute" (API reference, "Search PaymentIntents"). The fake makes an object searchable only once
it is :data:`SEARCH_LAG_SECONDS` old on its clock, the longest delay of normal operation (never
kinder than Stripe); the list endpoints see every object at once, as Stripe's do ("For
read-after-write flows that require immediate data availability, use the various list APIs",
https://docs.stripe.com/search#data-freshness). Approximation: an update to an object already
indexed is searchable at once.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any

from .api import Ctx, Json, api, list_object, require
from .errors import invalid
from .forms import integer
from .store import render

#: Normal operation makes new data searchable "in less than a minute".
SEARCH_LAG_SECONDS = 60
MAX_CLAUSES = 10

_NUMERIC = {"amount", "created"}
_STRINGS = {"currency", "customer", "status"}
_CLAUSE = re.compile(
    r"""(?P<neg>-)?
    (?P<field>metadata\[(?P<quote>['"])(?P<key>[^'"\]]+)(?P=quote)\]|[a-z_]+)
    (?P<op>>=|<=|:|~|=|>|<)
    (?P<value>'[^']*'|"[^"]*"|-?\d+)""",
    re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s+(?:(AND|OR)\s+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    negated: bool
    field: str  # a field name, or "metadata"
    key: str | None  # the metadata key
    op: str
    value: str
    quoted: bool


def parse_query(query: str) -> tuple[list[Clause], str]:
    """The clauses of ``query`` and how they combine (``AND`` or ``OR``); refuses bad queries."""
    clauses: list[Clause] = []
    joins: set[str] = set()
    text = query.strip()
    pos = 0
    while True:
        found = _CLAUSE.match(text, pos)
        if not found:
            raise _bad_query(query, f"expected a clause at position {pos}")
        clauses.append(_clause(query, found))
        pos = found.end()
        if pos == len(text):
            break
        separator = _SEPARATOR.match(text, pos)
        if not separator:
            raise _bad_query(query, f"unexpected text at position {pos}")
        joins.add((separator.group(1) or "AND").upper())
        pos = separator.end()
    if len(joins) > 1:
        raise _bad_query(query, "AND and OR cannot be combined in one query")
    if len(clauses) > MAX_CLAUSES:
        raise _bad_query(query, f"at most {MAX_CLAUSES} clauses are allowed")
    return clauses, joins.pop() if joins else "AND"


def _clause(query: str, found: re.Match[str]) -> Clause:
    raw = found.group("value")
    quoted = raw[0] in "'\""
    field = "metadata" if found.group("key") else found.group("field")
    clause = Clause(
        negated=bool(found.group("neg")),
        field=field,
        key=found.group("key"),
        op=found.group("op"),
        value=raw[1:-1] if quoted else raw,
        quoted=quoted,
    )
    if field not in _NUMERIC | _STRINGS | {"metadata"}:
        raise invalid(
            f"Field '{field}' is an unsupported search field for payment_intents.", param="query"
        )
    if field in _NUMERIC and (clause.op == "~" or not re.fullmatch(r"-?\d+", clause.value)):
        raise _bad_query(query, f"'{field}' takes a number and one of : = > < >= <=")
    if field not in _NUMERIC and (clause.op not in (":", "~") or not quoted):
        raise _bad_query(query, f"'{found.group('field')}' takes a quoted string after ':' or '~'")
    if clause.op == "~" and (field == "metadata" or len(clause.value) < 3):
        raise _bad_query(query, "'~' matches substrings of 3 or more characters, not metadata")
    return clause


def _bad_query(query: str, why: str) -> Exception:
    return invalid(f"Invalid search query '{query}': {why}.", param="query")


def matches(obj: Json, clause: Clause) -> bool:
    """Does ``obj`` satisfy ``clause`` (its negation included)?"""
    actual: Any = (
        (obj.get("metadata") or {}).get(clause.key) if clause.key else obj.get(clause.field)
    )
    if actual is None:
        hit = False
    elif clause.field in _NUMERIC:
        a, v = int(actual), int(clause.value)
        hit = {":": a == v, "=": a == v, ">": a > v, "<": a < v, ">=": a >= v, "<=": a <= v}[
            clause.op
        ]
    elif clause.op == "~":
        hit = clause.value.lower() in str(actual).lower()
    else:
        hit = str(actual).lower() == clause.value.lower()
    return hit != clause.negated


@api("GET", "/v1/payment_intents/search")
def search_payment_intents(ctx: Ctx) -> Json:
    query = str(require(ctx, "query"))
    clauses, join = parse_query(query)
    limit = integer(ctx.params.get("limit"), 10)
    assert limit is not None
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be between 1 and 100", param="limit")
    offset = _page_offset(ctx.params.get("page"))
    indexed_before = ctx.state.clock.now() - SEARCH_LAG_SECONDS
    combine = all if join == "AND" else any
    found = [
        pi
        for pi in ctx.state.all("payment_intent", ctx.account)
        if pi["created"] <= indexed_before and combine(matches(pi, c) for c in clauses)
    ]
    page = found[offset : offset + limit]
    more = len(found) > offset + limit
    return {
        "object": "search_result",
        "data": [render(pi) for pi in page],
        "has_more": more,
        "next_page": f"page_{offset + limit}" if more else None,
        "url": "/v1/payment_intents/search",
    }


def _page_offset(page: Any) -> int:
    if page is None or page == "":
        return 0
    found = re.fullmatch(r"page_(\d+)", str(page))
    if not found:
        raise invalid(f"Invalid page: {page}", param="page")
    return int(found.group(1))


def created_filter(ctx: Ctx, items: list[Json], key: str = "created") -> list[Json]:
    """Items whose ``key`` (default ``created``; payouts also take ``arrival_date``) satisfies
    the param of that name: a timestamp, or a dict of ``gt`` / ``gte`` / ``lt`` / ``lte``
    bounds (the list endpoints' "date interval")."""
    created = ctx.params.get(key)
    if created is None or created == "":
        return items
    tests = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
    bounds = created if isinstance(created, dict) else {"eq": created}
    checks = []
    for op, raw in bounds.items():
        if op not in (*tests, "eq") or not re.fullmatch(r"\d+", str(raw)):
            raise invalid(f"Invalid {key}[{op}]: {raw}", param=key)
        checks.append((tests.get(op, operator.eq), int(raw)))
    return [o for o in items if all(check(o[key], v) for check, v in checks)]


@api("GET", "/v1/refunds")
def list_refunds(ctx: Ctx) -> Json:
    """Refunds under the account, newest first, by ``charge`` / ``payment_intent`` / ``created``."""
    items = ctx.state.all("refund", ctx.account)
    for key in ("charge", "payment_intent"):
        if ctx.params.get(key):
            items = [r for r in items if r[key] == ctx.params[key]]
    return list_object(ctx, "/v1/refunds", created_filter(ctx, items))
