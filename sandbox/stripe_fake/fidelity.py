"""Fidelity checks: is a request what stripe-python could send, is a response what it declares?

* :func:`check_request` validates decoded form params against stripe-python's typed params
  (``stripe.params.…Params`` TypedDicts) for the operation, recursively: unknown names (a
  request option such as ``stripe_account`` among them), types, required params, enums.
* :func:`oauth_problems` does the same for Connect OAuth against stripe-python's OAuth
  TypedDicts; :func:`wrong_account_problems` names objects a request reached for under an
  account they do not live on.
* :func:`check_response` (in :mod:`.response_fidelity`) checks every key of a response object
  is a field stripe-python's resource class for its ``object`` declares.
* :func:`check_openapi` checks a (method, templated path) exists in Stripe's OpenAPI document
  (the 2022-04 snapshot) and that top-level params are in the operation. A param newer than
  the snapshot is a problem only when stripe-python's typed params do not know it either,
  since the installed stripe-python is newer than the spec.
"""

from __future__ import annotations

import importlib
import re
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union

from stripe._request_options import RequestOptions

from .response_fidelity import check_response as check_response  # re-exported

# (method, path template as in Stripe's OpenAPI document, stripe-python params class)
ROUTES: list[tuple[str, str, str | None]] = [
    ("GET", "/v1/account", "AccountRetrieveCurrentParams"),
    ("POST", "/v1/accounts", "AccountCreateParams"),
    ("GET", "/v1/accounts/{account}", "AccountRetrieveParams"),
    ("POST", "/v1/account_links", "AccountLinkCreateParams"),
    ("GET", "/v1/balance", "BalanceRetrieveParams"),
    ("GET", "/v1/payouts", "PayoutListParams"),
    ("POST", "/v1/customers", "CustomerCreateParams"),
    ("GET", "/v1/customers", "CustomerListParams"),
    ("GET", "/v1/customers/search", "CustomerSearchParams"),
    ("GET", "/v1/customers/{customer}", "CustomerRetrieveParams"),
    ("POST", "/v1/customers/{customer}", "CustomerUpdateParams"),
    ("GET", "/v1/customers/{customer}/payment_methods", "CustomerListPaymentMethodsParams"),
    ("POST", "/v1/checkout/sessions", "checkout.SessionCreateParams"),
    ("GET", "/v1/checkout/sessions/{session}", "checkout.SessionRetrieveParams"),
    ("GET", "/v1/setup_intents/{intent}", "SetupIntentRetrieveParams"),
    ("POST", "/v1/payment_methods", "PaymentMethodCreateParams"),
    ("GET", "/v1/payment_methods/{payment_method}", "PaymentMethodRetrieveParams"),
    ("POST", "/v1/payment_methods/{payment_method}/attach", "PaymentMethodAttachParams"),
    ("POST", "/v1/payment_intents", "PaymentIntentCreateParams"),
    ("GET", "/v1/payment_intents", "PaymentIntentListParams"),
    ("GET", "/v1/payment_intents/{intent}", "PaymentIntentRetrieveParams"),
    ("POST", "/v1/payment_intents/{intent}/confirm", "PaymentIntentConfirmParams"),
    ("POST", "/v1/payment_intents/{intent}/cancel", "PaymentIntentCancelParams"),
    ("GET", "/v1/charges", "ChargeListParams"),
    ("GET", "/v1/charges/{charge}", "ChargeRetrieveParams"),
    ("POST", "/v1/refunds", "RefundCreateParams"),
    ("GET", "/v1/refunds/{refund}", "RefundRetrieveParams"),
    ("GET", "/v1/application_fees", "ApplicationFeeListParams"),
    ("GET", "/v1/application_fees/{id}", "ApplicationFeeRetrieveParams"),
    ("POST", "/v1/application_fees/{id}/refunds", "ApplicationFeeRefundCreateParams"),
    ("GET", "/v1/application_fees/{id}/refunds", "ApplicationFeeRefundListParams"),
    ("GET", "/v1/balance_transactions/{id}", "BalanceTransactionRetrieveParams"),
    ("GET", "/v1/events", "EventListParams"),
    ("GET", "/v1/events/{id}", "EventRetrieveParams"),
    ("GET", "/v1/payment_intents/search", "PaymentIntentSearchParams"),
    ("GET", "/v1/refunds", "RefundListParams"),
    ("GET", "/v1/webhook_endpoints", "WebhookEndpointListParams"),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint}", "WebhookEndpointRetrieveParams"),
]

# stripe-python's request options (``stripe_account``, ``idempotency_key``, ``api_key``, …)
# travel as headers. Its params classes inherit them (for the resource-style API), so the typed
# check alone would let them through as body or query params; Stripe refuses them there as
# unknown parameters ("Received unknown parameter: stripe_account") and runs nothing.
REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)

# Connect OAuth endpoints and stripe-python's TypedDicts of their params (stripe/_oauth.py).
OAUTH_PARAMS = {
    "/oauth/token": "OAuthTokenParams",
    "/oauth/deauthorize": "OAuthDeauthorizeParams",
}


@dataclass(frozen=True)
class Problem:
    param: str | None
    code: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def _regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "([^/]+)", template) + "$")


_COMPILED = [(m, t, _regex(t), c) for m, t, c in ROUTES]


def match_route(method: str, path: str) -> tuple[str, list[str], str | None] | None:
    """(template, path arguments, params class name) of the route, or None."""
    for m, template, regex, cls in _COMPILED:
        found = regex.match(path)
        if m == method.upper() and found:
            if "{" not in template or not any(t == path for mm, t, _, _ in _COMPILED if mm == m):
                return template, list(found.groups()), cls
    return None


@cache
def params_class(name: str) -> Any:
    module = importlib.import_module("stripe.params")
    for part in name.split("."):
        module = getattr(module, part)
    return module


class _Opaque:
    """Stands for a type-checking-only name; accepts anything."""

    def __class_getitem__(cls, item: Any) -> Any:
        return Any


@cache
def _hints(cls: Any) -> dict[str, Any]:
    # RequestOptions refers to names only imported for type checking; treat them as Any.
    localns: dict[str, Any] = {}
    for _ in range(20):
        try:
            return typing.get_type_hints(cls, localns=localns, include_extras=False)
        except NameError as exc:
            localns[str(exc.name)] = _Opaque
    raise RuntimeError(f"cannot resolve type hints of {cls!r}")


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__")


def _check(value: Any, tp: Any, param: str) -> list[Problem]:
    if tp is Any or tp is _Opaque or getattr(tp, "__name__", "") == "UntypedStripeObject":
        return []
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:
        # stripe-python widens every enum to ``Literal[...] | str`` so that new values do not
        # break old clients; Stripe itself refuses a value outside the enum ("Invalid mode:
        # must be one of payment, setup, or subscription"). So within an enum, ``str`` is no
        # escape hatch: the value must be one of the Literal's.
        if str in args and any(_is_enum(arm) for arm in args):
            args = tuple(arm for arm in args if arm is not str)
        results = [_check(value, arm, param) for arm in args]
        if any(not r for r in results):
            return []
        return min(results, key=len)
    if origin is Literal:
        if value in [str(a).lower() if isinstance(a, bool) else str(a) for a in args]:
            return []
        return [Problem(param, None, f"Invalid {param}: must be one of {_one_of(args)}")]
    if origin in (list, typing.List):  # noqa: UP006
        if isinstance(value, dict) and all(k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if isinstance(value, str) and value == "":
            return []
        if not isinstance(value, list):
            return [Problem(param, None, f"Invalid array: {param}")]
        return [p for i, v in enumerate(value) for p in _check(v, args[0], f"{param}[{i}]")]
    if origin in (dict, typing.Dict):  # noqa: UP006
        if value == "":
            return []
        if not isinstance(value, dict):
            return [Problem(param, None, f"Invalid object: {param}")]
        return [p for k, v in value.items() for p in _check(v, args[1], f"{param}[{k}]")]
    if _is_typeddict(tp):
        if not isinstance(value, dict):
            return [Problem(param, None, f"Invalid object: {param}")]
        return _check_fields(value, tp, param)
    if tp is bool:
        ok = value in ("true", "false")
        return [] if ok else [Problem(param, None, f"Invalid boolean: {value}")]
    if tp is int:
        ok = isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
        return (
            [] if ok else [Problem(param, "parameter_invalid_integer", f"Invalid integer: {value}")]
        )
    if tp is float:
        ok = isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
        return [] if ok else [Problem(param, None, f"Invalid decimal: {value}")]
    if tp is str:
        ok = isinstance(value, str)
        return [] if ok else [Problem(param, None, f"Invalid string: {param}")]
    return []


def _is_enum(tp: Any) -> bool:
    """A Literal naming values (not only ``''``, stripe-python's "unset" marker)."""
    return typing.get_origin(tp) is Literal and any(a != "" for a in typing.get_args(tp))


def _one_of(args: tuple[Any, ...]) -> str:
    """Stripe's enumeration in enum refusals: ``a, b, or c``."""
    names = [str(a).lower() if isinstance(a, bool) else str(a) for a in args]
    if len(names) < 3:
        return " or ".join(names)
    return ", ".join(names[:-1]) + ", or " + names[-1]


def _check_fields(params: dict[str, Any], cls: Any, prefix: str | None) -> list[Problem]:
    hints = _hints(cls)
    problems: list[Problem] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key not in hints or (prefix is None and key in REQUEST_OPTION_KEYS):
            problems.append(
                Problem(name, "parameter_unknown", f"Received unknown parameter: {name}")
            )
            continue
        problems.extend(_check(value, hints[key], name))
    for key in getattr(cls, "__required_keys__", ()):
        if key not in params:
            name = f"{prefix}[{key}]" if prefix else key
            problems.append(Problem(name, "parameter_missing", f"Missing required param: {name}."))
    return problems


def request_problems(method: str, path: str, params: dict[str, Any]) -> list[Problem]:
    route = match_route(method, path)
    if route is None:
        return [Problem(None, None, f"Unrecognized request URL ({method} {path}).")]
    cls_name = route[2]
    if cls_name is None:
        return []
    return _check_fields(params, params_class(cls_name), None)


def oauth_problems(path: str, params: dict[str, Any]) -> list[Problem]:
    """Problems with the params of a Connect OAuth request, as stripe-python types them.

    ``client_secret`` is left out: Stripe takes the secret key as that form field instead of
    the Authorization header (the fake's log never records it).
    """
    name = OAUTH_PARAMS.get(path)
    if name is None:
        return [Problem(None, None, f"Unrecognized OAuth URL ({path}).")]
    cls = getattr(importlib.import_module("stripe._oauth").OAuth, name)
    given = {k: v for k, v in params.items() if k != "client_secret"}
    return _check_fields(given, cls, None)


def wrong_account_problems(
    objects: dict[str, dict[str, Any]],
    owners: dict[str, str | None],
    account: str | None,
    ids: list[str],
) -> list[str]:
    """Objects a request named that exist, but on another account than the one it acted as.

    Stripe answers such a request 404 ``resource_missing`` (an object is only visible under the
    ``Stripe-Account`` it lives on); for the fidelity gate it is the caller's mistake, so it is
    recorded as a problem of the request and not only as an answer.
    """
    problems = []
    for obj_id in dict.fromkeys(ids):
        if obj_id in objects and owners.get(obj_id) != account:
            where = owners.get(obj_id) or "the platform"
            acting = account or "the platform"
            problems.append(
                f"{objects[obj_id].get('object')} {obj_id} lives on {where}, "
                f"but the request acted as {acting} (Stripe-Account)"
            )
    return problems


def check_request(method: str, path: str, params: dict[str, Any]) -> list[str]:
    """Problems with ``params`` for this operation, as stripe-python's typed params see them."""
    return [str(p) for p in request_problems(method, path, params)]


def check_openapi(
    method: str, path_template: str, params: dict[str, Any], spec: dict[str, Any]
) -> list[str]:
    """Problems with an operation and its top-level params against Stripe's OpenAPI document."""
    operation = spec.get("paths", {}).get(path_template, {}).get(method.lower())
    if operation is None:
        return [f"{method} {path_template} is not in the OpenAPI document"]
    known = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    body = operation.get("requestBody", {}).get("content", {})
    schema = body.get("application/x-www-form-urlencoded", {}).get("schema", {})
    known.update(schema.get("properties", {}))
    typed: set[str] = set()
    for m, t, cls_name in ROUTES:
        if m == method.upper() and t == path_template and cls_name:
            typed = set(_hints(params_class(cls_name)))
    return [
        f"{method} {path_template}: parameter {key!r} is unknown to the spec and stripe-python"
        for key in params
        if key not in known and key not in typed
    ]
