"""Fidelity checks: is a request what stripe-python could send, is a response what it declares?

* :func:`check_request` validates decoded form params against stripe-python's typed params
  (``stripe.params.…Params`` TypedDicts) for the operation, recursively.
* :func:`check_response` checks every key of a response object is a field stripe-python's
  resource class for its ``object`` declares (recursing into nested classes and lists).
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

from stripe._object_classes import OBJECT_CLASSES
from stripe._request_options import RequestOptions

# (method, path template as in Stripe's OpenAPI document, stripe-python params class)
ROUTES: list[tuple[str, str, str | None]] = [
    ("GET", "/v1/account", "AccountRetrieveCurrentParams"),
    ("POST", "/v1/accounts", "AccountCreateParams"),
    ("GET", "/v1/accounts/{account}", "AccountRetrieveParams"),
    ("POST", "/v1/account_links", "AccountLinkCreateParams"),
    ("GET", "/v1/balance", "BalanceRetrieveParams"),
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
    ("GET", "/v1/webhook_endpoints", "WebhookEndpointListParams"),
    ("GET", "/v1/webhook_endpoints/{webhook_endpoint}", "WebhookEndpointRetrieveParams"),
]

_REQUEST_OPTION_KEYS = set(RequestOptions.__annotations__)


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
        results = [_check(value, arm, param) for arm in args]
        if any(not r for r in results):
            return []
        return min(results, key=len)
    if origin is Literal:
        if value in [str(a).lower() if isinstance(a, bool) else str(a) for a in args]:
            return []
        allowed = ", ".join(str(a) for a in args[:10])
        return [Problem(param, None, f"Invalid {param}: must be one of {allowed}")]
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


def _check_fields(params: dict[str, Any], cls: Any, prefix: str | None) -> list[Problem]:
    hints = _hints(cls)
    problems: list[Problem] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if prefix is None and key in _REQUEST_OPTION_KEYS and key not in ("expand",):
            continue
        if key not in hints:
            problems.append(
                Problem(name, "parameter_unknown", f"Received unknown parameter: {name}")
            )
            continue
        problems.extend(_check(value, hints[key], name))
    for key in getattr(cls, "__required_keys__", ()):
        if key not in params and key not in _REQUEST_OPTION_KEYS:
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


def check_request(method: str, path: str, params: dict[str, Any]) -> list[str]:
    """Problems with ``params`` for this operation, as stripe-python's typed params see them."""
    return [str(p) for p in request_problems(method, path, params)]


@cache
def _resource_fields(cls: Any) -> frozenset[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        names.update(n for n in getattr(klass, "__annotations__", {}) if not n.startswith("_"))
    return frozenset(names)


def _resource_class(object_name: str) -> Any:
    module_name, class_name = OBJECT_CLASSES[object_name]
    return getattr(importlib.import_module(module_name), class_name)


def _check_object(obj: dict[str, Any], cls: Any, where: str) -> list[str]:
    problems: list[str] = []
    if obj.get("object") in ("list", "search_result"):
        for i, item in enumerate(obj.get("data", [])):
            problems.extend(check_response(item, f"{where}.data[{i}]"))
        extra = set(obj) - {"object", "data", "has_more", "url", "next_page", "total_count"}
        problems.extend(f"{where}: unknown field {k!r}" for k in sorted(extra))
        return problems
    fields = _resource_fields(cls)
    inner = getattr(cls, "_inner_class_types", {})
    inner_dicts = getattr(cls, "_inner_class_dicts", [])
    for key, value in obj.items():
        if key not in fields:
            problems.append(f"{where}: unknown field {key!r} for {cls.__name__}")
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            sub = f"{where}.{key}" + (f"[{i}]" if isinstance(value, list) else "")
            if isinstance(item.get("object"), str) and item["object"] in OBJECT_CLASSES:
                problems.extend(check_response(item, sub))
            elif key in inner and key in inner_dicts:
                for k, v in item.items():
                    if isinstance(v, dict):
                        problems.extend(_check_object(v, inner[key], f"{sub}.{k}"))
            elif key in inner:
                problems.extend(_check_object(item, inner[key], sub))
    return problems


def check_response(obj: dict[str, Any], where: str = "response") -> list[str]:
    """Keys of ``obj`` that stripe-python's class for ``obj["object"]`` does not declare."""
    if "error" in obj and "object" not in obj:
        return []
    name = obj.get("object")
    if not isinstance(name, str) or name not in OBJECT_CLASSES:
        return [f"{where}: unknown object type {name!r}"]
    return _check_object(obj, _resource_class(name), where)


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
