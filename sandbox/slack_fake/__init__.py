"""A stateful, in-memory fake of the Slack Web API, response URLs and a signed request sender."""

from .app import create_app

__all__ = ["create_app"]
