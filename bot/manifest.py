"""`connectbot manifest`: app.yaml with PUBLIC_URL in place of the placeholder address."""

from __future__ import annotations

from pathlib import Path

MANIFEST = Path(__file__).resolve().parent.parent / "app.yaml"
PLACEHOLDER = "https://connectbot.example.com"


def render_manifest(public_url: str) -> str:
    """The manifest text with every URL pointing at `public_url` (no trailing slash)."""
    return MANIFEST.read_text(encoding="utf-8").replace(PLACEHOLDER, public_url.rstrip("/"))
