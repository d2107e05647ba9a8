"""The layers in pyproject.toml hold, and name every module of `bot`.

`make lint` runs `lint-imports` too; this runs it under plain pytest as well, so a broken layer
fails the suite however it is started.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# The only product modules that may use the fakes (directly; the command line only through them).
SANDBOX_USERS = {"bot.cli", "bot.demo", "bot.sandbox_mode", "bot.sandbox_seed"}


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _top_level_modules() -> set[str]:
    bot = ROOT / "bot"
    return {
        f"bot.{p.stem}"
        for p in bot.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }


def test_every_module_of_bot_has_a_layer() -> None:
    layers = _contracts()["layers"]["layers"]
    assert isinstance(layers, list)
    named = {name.strip() for layer in layers for name in re.split(r"[|:]", layer)}
    missing = _top_level_modules() - named
    assert not missing, f"add {sorted(missing)} to a layer in pyproject.toml [tool.importlinter]"


def test_every_module_but_the_sandbox_commands_is_kept_from_the_fakes() -> None:
    sources = _contracts()["sandbox"]["source_modules"]
    assert isinstance(sources, list)
    missing = _top_level_modules() - SANDBOX_USERS - set(sources)
    assert not missing, f"add {sorted(missing)} to the sandbox contract's source_modules"


def test_the_layers_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    binary = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    if binary is None:
        pytest.skip("lint-imports is not installed (make venv installs import-linter)")
    result = subprocess.run(
        [binary, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
