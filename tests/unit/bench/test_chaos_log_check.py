"""The chaos run's log check: a traceback is a violation, and it is quoted (secrets redacted)
with the record that printed it, so a failed run in CI says what went wrong."""

from __future__ import annotations

from pathlib import Path

from bench.chaos.invariants import logs_clean

RECORD = "2026-12-02 10:00:00,000 ERROR bot.worker: outbox pass failed; retrying"
TRACE = [
    "Traceback (most recent call last):",
    '  File "bot/worker.py", line 76, in run',
    "    handled = await self.one_pass()",
    "RuntimeError: token sk_test_abc123 refused",
]
NEXT = "2026-12-02 10:00:01,000 INFO bot.worker: next pass"


def test_a_clean_log_passes(tmp_path: Path) -> None:
    (tmp_path / "server-001.log").write_text(f"{NEXT}\n{NEXT}\n")
    assert logs_clean(tmp_path) == []


def test_a_traceback_is_one_violation_quoting_its_record_and_exception(tmp_path: Path) -> None:
    (tmp_path / "server-004.log").write_text("\n".join([NEXT, RECORD, *TRACE, NEXT]) + "\n")
    found = logs_clean(tmp_path)
    traceback = [f for f in found if "a traceback" in f]
    assert len(traceback) == 1
    lines = traceback[0].splitlines()
    assert lines[0] == "server-004.log shows a traceback"
    assert lines[1] == RECORD
    assert lines[-1] == "RuntimeError: token <secret> refused"
    assert NEXT not in traceback[0]
    # the secret is a violation of its own, named and never quoted
    assert any("a secret (sk_te…)" in f for f in found)
    assert all("sk_test_abc123" not in f for f in found)
