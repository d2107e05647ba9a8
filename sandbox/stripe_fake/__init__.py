"""A fake Stripe: an in-memory aiohttp server that stripe-python can talk to unchanged."""

from .app import create_app

__all__ = ["create_app"]
