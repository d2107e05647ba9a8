"""What connectbot sent to the fake Stripe, held against stripe-python and Stripe's OpenAPI.

Every end-to-end test ends with `assert_stripe_requests_faithful`: a request the fake found
fault with (an unknown or ill-typed parameter per stripe-python's `stripe.params`, or a response
field stripe-python's resource classes do not declare) fails the test, and so does an operation
or top-level parameter that neither the OpenAPI document in ../shared/specs nor stripe-python
knows. Without the specs folder the OpenAPI half is skipped and says so once.
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path
from typing import Any

from sandbox.stripe_fake.fidelity import check_openapi, match_route
from sandbox.stripe_fake.testing import StripeFake

SPEC_FILE = (
    Path(__file__).resolve().parents[1].parent / "shared" / "specs" / "stripe-openapi-2022-04.json"
)


@functools.cache
def openapi_spec() -> dict[str, Any] | None:
    if not SPEC_FILE.exists():
        warnings.warn(f"Stripe OpenAPI check skipped: {SPEC_FILE} is absent", stacklevel=2)
        return None
    result: dict[str, Any] = json.loads(SPEC_FILE.read_text())
    return result


async def assert_stripe_requests_faithful(fake: StripeFake) -> list[dict[str, Any]]:
    """Fail on any fidelity problem in the fake's request log; return the log."""
    log = await fake.requests()
    problems = [f"{e['method']} {e['path']}: {p}" for e in log for p in e.get("problems", [])]
    spec = openapi_spec()
    if spec is not None:
        for entry in log:
            if not entry["path"].startswith("/v1/"):
                continue
            route = match_route(entry["method"], entry["path"])
            if route is None:
                problems.append(f"{entry['method']} {entry['path']}: no such route")
                continue
            problems += check_openapi(entry["method"], route[0], entry["params"], spec)
    assert problems == [], "requests Stripe would refuse:\n" + "\n".join(problems)
    return log
