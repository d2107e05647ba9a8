"""The guide's screenshots: where they live and what each must be (a PNG, small enough)."""

from __future__ import annotations

from pathlib import Path

IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"
PNG = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 250_000  # each image; the set stays well under 2 MB


def check_images(folder: Path, names: tuple[str, ...]) -> None:
    """Each of `names` is a PNG in `folder`, neither empty nor over MAX_BYTES."""
    for name in names:
        data = (folder / f"{name}.png").read_bytes()
        assert data.startswith(PNG), name
        assert 1_000 < len(data) <= MAX_BYTES, (name, len(data))
