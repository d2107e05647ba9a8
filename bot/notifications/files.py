"""Share a file in a channel: slack_sdk's `files_upload_v2` (files.getUploadURLExternal, the
upload URL, files.completeUploadExternal), with what went wrong as a value.

Unlike a message, a file is not queued in the outbox: the person who asked waits for it, and a
failed share leaves nothing in the channel (the file stays private to the app), so telling them
and letting them type the command again is the retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NotShared:
    """The file did not reach the channel; `error` is Slack's code, None when Slack could not
    be reached or refused the bytes."""

    error: str | None


async def share_file(
    client: AsyncWebClient,
    *,
    path: Path,
    filename: str,
    title: str,
    channel_id: str,
    comment: str,
) -> str | NotShared:
    """Upload the file at `path` and share it in `channel_id` with `comment` as its message;
    the file's id, or `NotShared` (no membership, a missing scope, Slack unreachable …)."""
    try:
        done = await client.files_upload_v2(
            file=str(path),
            filename=filename,
            title=title,
            channel=channel_id,
            initial_comment=comment,
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.info("file %s not shared in %s: %s", filename, channel_id, error)
        return NotShared(str(error) if error else None)
    except (SlackClientError, OSError, TimeoutError) as exc:
        log.warning("file %s not shared in %s: %r", filename, channel_id, exc)
        return NotShared(None)
    return str(done["file"]["id"])
