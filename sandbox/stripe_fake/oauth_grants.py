"""Connect OAuth grants: authorization codes, the tokens issued with them, revocation.

Sources for the rules below:
- Connect OAuth reference, https://docs.stripe.com/connect/oauth-reference (``POST /oauth/token``,
  ``POST /oauth/deauthorize``, errors in OAuth's ``{"error", "error_description"}`` shape).
- stripe-python/-java/-ruby ``InvalidGrantError`` docstring: "raised when a specified code doesn't
  exist, is expired, has been used, or doesn't belong to you; a refresh token doesn't exist …; or
  if an API key's mode (live or test) doesn't match the mode of a code or refresh token."
  ``InvalidRequestError``: "raised when a code, refresh token, or grant type parameter is not
  provided, but was required."
- RFC 6749 §4.1.2 (the OAuth 2.0 spec Stripe's Connect OAuth follows): a code "MUST expire
  shortly after it is issued … A maximum authorization code lifetime of 10 minutes is
  RECOMMENDED. … If an authorization code is used more than once, the authorization server MUST
  deny the request and SHOULD revoke … all tokens previously issued based on that code."
"""

from __future__ import annotations

from typing import Any

from .accounts import make_account
from .errors import OAuthError
from .events import record
from .store import State, new_id

# Stripe does not document how long a Connect authorization code lives. RFC 6749 §4.1.2
# recommends at most 10 minutes, so the fake uses that, measured on the fake clock.
CODE_LIFETIME_SECONDS = 600

# Messages Stripe answers with, each seen in Stripe's own answers:
# "Authorization code does not exist: …" (Stripe's docs quoted in stripe/stripe-java#251),
# "This authorization code has already been used. All tokens issued with this code have been
# revoked." (isaacsanders/omniauth-stripe-connect#23), "Authorization code expired"
# (stripe-ruby-mock/stripe-ruby-mock#489), "Passed in livemode API key but authorization code
# only supports returning test keys" (stripe/stripe-dotnet#696; the reverse is mirrored).
USED = (
    "This authorization code has already been used. All tokens issued with this code have "
    "been revoked."
)
EXPIRED = "Authorization code expired"


def _mode(live: bool) -> str:
    return "livemode" if live else "testmode"


def _mismatch(key_live: bool, what: str) -> str:
    keys = "live" if not key_live else "test"
    return f"Passed in {_mode(key_live)} API key but {what} only supports returning {keys} keys"


def issue_code(
    state: State, *, email: str | None, scope: str, client_id: str, livemode: bool
) -> str:
    """A fresh authorization code for the account of ``email`` (reused when seen before)."""
    code = new_id("ac", 32)
    state.oauth_codes[code] = {
        "account": account_for(state, email),
        "scope": scope,
        "client_id": client_id,
        "livemode": livemode,
        "created": state.clock.now(),
        "used": False,
        "seq": 0,  # order of successful exchanges: the account's current grant has the highest
        "refresh_tokens": [],
    }
    return code


def account_for(state: State, email: str | None) -> str:
    if email:
        for obj_id, obj in state.objects.items():
            if (
                obj.get("object") == "account"
                and obj.get("email") == email
                and (obj_id != state.platform_id)
            ):
                return obj_id
    return str(make_account(state, email=email, enabled=True)["id"])


def exchange_code(state: State, code: str, *, key_live: bool) -> dict[str, Any]:
    """``grant_type=authorization_code``: tokens for the code's account, once.

    Refuses (``invalid_grant``) a code that does not exist, was used (and then revokes what it
    issued), expired, or is of the other mode than the key; ``invalid_request`` without a code.
    """
    if not code:
        raise OAuthError(400, "invalid_request", "No authorization code provided")
    entry = state.oauth_codes.get(code)
    if entry is None:
        raise OAuthError(400, "invalid_grant", f"Authorization code does not exist: {code}")
    if entry["used"]:
        revoke(state, entry)
        raise OAuthError(400, "invalid_grant", USED)
    if state.clock.now() - entry["created"] > CODE_LIFETIME_SECONDS:
        raise OAuthError(400, "invalid_grant", EXPIRED)
    if entry["livemode"] != key_live:
        raise OAuthError(400, "invalid_grant", _mismatch(key_live, "authorization code"))
    entry["used"] = True
    entry["seq"] = 1 + max(e["seq"] for e in state.oauth_codes.values())
    account = entry["account"]
    state.deauthorized.discard(account)
    body = _tokens(state, entry, entry["scope"])
    record(
        state,
        "account.application.authorized",
        {"id": entry["client_id"], "object": "application", "name": "Connectbot"},
        account=account,
        livemode=entry["livemode"],
    )
    return body


def refresh(state: State, token: str, scope: str | None, *, key_live: bool) -> dict[str, Any]:
    """``grant_type=refresh_token``: new tokens for a connected account (same grant)."""
    if not token:
        raise OAuthError(400, "invalid_request", "No refresh token provided")
    account = state.refresh_tokens.get(token)
    grant = _grant_of(state, token)
    if account is None or grant is None or account in state.deauthorized:
        raise OAuthError(400, "invalid_grant", f"Refresh token does not exist: {token}")
    if grant["livemode"] != key_live:
        raise OAuthError(400, "invalid_grant", _mismatch(key_live, "refresh token"))
    return _tokens(state, grant, scope or grant["scope"])


def _grant_of(state: State, token: str) -> dict[str, Any] | None:
    for entry in state.oauth_codes.values():
        if token in entry["refresh_tokens"]:
            return entry
    return None


def _tokens(state: State, entry: dict[str, Any], scope: str) -> dict[str, Any]:
    refresh_token = new_id("rt", 32)
    state.refresh_tokens[refresh_token] = entry["account"]
    entry["refresh_tokens"].append(refresh_token)
    mode = "live" if entry["livemode"] else "test"
    return {
        "access_token": new_id(f"sk_{mode}", 32),
        "livemode": entry["livemode"],
        "refresh_token": refresh_token,
        "scope": scope,
        "stripe_publishable_key": new_id(f"pk_{mode}", 32),
        "stripe_user_id": entry["account"],
        "token_type": "bearer",
    }


def revoke(state: State, entry: dict[str, Any]) -> None:
    """Revoke every token issued with a code that was presented again (RFC 6749 §4.1.2).

    When the account's current connection came from this code, the platform loses the account:
    it is deauthorized, with the ``account.application.deauthorized`` event of a real
    revocation. A later connection (from another code) is not this code's, so it stays.
    """
    for token in entry["refresh_tokens"]:
        state.refresh_tokens.pop(token, None)
    account = entry["account"]
    grants = [e for e in state.oauth_codes.values() if e["account"] == account and e["used"]]
    current = max(grants, key=lambda e: e["seq"])
    if current is entry and account not in state.deauthorized:
        deauthorize_account(
            state, account, client_id=entry["client_id"], livemode=entry["livemode"]
        )


def deauthorize_account(state: State, account: str, *, client_id: str, livemode: bool) -> None:
    """The platform no longer has access to ``account``; Stripe tells it by event."""
    state.deauthorized.add(account)
    record(
        state,
        "account.application.deauthorized",
        {"id": client_id, "object": "application", "name": "Connectbot"},
        account=account,
        livemode=livemode,
    )
