"""Is a response what stripe-python declares? (The response half of :mod:`.fidelity`.)

:func:`check_response` checks every key of a response object is a field stripe-python's
resource class for its ``object`` declares, recursing into nested classes and lists.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from stripe._object_classes import OBJECT_CLASSES


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
