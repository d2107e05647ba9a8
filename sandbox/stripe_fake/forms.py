"""Decoding Stripe's form encoding: ``a[b][0][c]=v`` and ``expand[]=x`` into nested dicts/lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def decode(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nested params from form pairs. Dicts whose keys are all indexes become lists."""
    root: dict[str, Any] = {}
    for raw_key, value in pairs:
        found = _KEY.match(raw_key)
        if not found:
            root[raw_key] = value
            continue
        parts = [found.group(1), *re.findall(r"\[([^\[\]]*)\]", found.group(2))]
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # key[] appends
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    result: dict[str, Any] = _listify(root, None)
    return result


def _listify(value: Any, key: str | None) -> Any:
    if isinstance(value, dict):
        converted = {k: _listify(v, k) for k, v in value.items()}
        if key != "metadata" and converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return value


def flag(value: Any) -> bool:
    return value == "true" or value is True


def integer(value: Any, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    return int(value)
