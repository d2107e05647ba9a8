"""File uploads as Slack does them since files.upload was retired: three steps.

1. `files.getUploadURLExternal` (filename, length) answers an `upload_url` and a `file_id`;
2. the app POSTs the file's bytes to that URL (`upload`, below);
3. `files.completeUploadExternal` (files=[{id, title}], channel_id, initial_comment) finishes
   the upload and shares the file in the channel, with the comment as its message.

Steps, arguments and errors: https://docs.slack.dev/reference/methods/files.getUploadURLExternal/
and https://docs.slack.dev/reference/methods/files.completeUploadExternal/ (error lists as
mirrored in https://github.com/slack-ruby/slack-api-ref, methods/files/).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from aiohttp import BodyPartReader, web

from . import conversations
from .chat_methods import error
from .params import as_str
from .state import JSON, FakeState, FileUpload

# Both methods need the bot scope files:write ("Scopes: Bot token: files:write", on both
# method pages above); Slack answers `missing_scope` with what was needed and provided.
SCOPE = "files:write"
# Slack's largest file: 1 GB ("Maximum upload file size is 1 GB", slack_sdk's
# MAX_V2_FILE_SIZE = 1024 * 1024 * 1024, checked before files.getUploadURLExternal).
MAX_LENGTH = 1024 * 1024 * 1024
MAX_ALT_TXT = 1000  # alt_txt_too_large: "longer than the limit of 1000 character"
# Slack does not document how long an upload URL lives; the fake gives it 10 minutes (an
# app uploads right after asking), so a test can show that a stale URL is refused.
UPLOAD_URL_SECONDS = 600.0


def _scope_error(state: FakeState) -> JSON | None:
    if SCOPE in state.identity.scopes:
        return None
    return error("missing_scope", needed=SCOPE, provided=",".join(state.identity.scopes))


def _length(value: Any) -> int | None:
    """`length` as Slack reads an integer argument: digits only (a JSON int, or its text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = as_str(value).strip()
    return int(text) if text.isdigit() else None


async def get_upload_url(state: FakeState, params: JSON) -> JSON:
    """files.getUploadURLExternal: refuses a missing filename (`invalid_arguments`), a length
    of 0 (`missing_argument`: "Typically only occurs when the length provided is 0"), a length
    that is not a whole number or is over 1 GB, and an alt_txt over 1000 characters."""
    refused = _scope_error(state)
    if refused:
        return refused
    filename = as_str(params.get("filename")).strip()
    if "length" not in params or not filename:
        return error("invalid_arguments")
    length = _length(params.get("length"))
    if length is None:
        return error("invalid_arguments")
    if length == 0:
        return error("missing_argument")
    if length > MAX_LENGTH:
        return error("file_upload_size_restricted")
    if len(as_str(params.get("alt_txt"))) > MAX_ALT_TXT:
        return error("alt_txt_too_large")
    file_id = state.next_file_id()
    key = secrets.token_urlsafe(16)
    state.files[file_id] = FileUpload(
        id=file_id, filename=filename, length=length, upload_key=key, issued_at=state.now()
    )
    return {"ok": True, "upload_url": f"{state.base_url}_fake/upload/{key}", "file_id": file_id}


async def upload(request: web.Request, state: FakeState) -> web.Response:
    """The upload URL: takes the bytes once. "Slack will return HTTP 200 if the upload is
    successful; non-200 otherwise" (files.getUploadURLExternal, Usage info). Refused: an
    unknown, expired or already used URL, and bytes whose length is not the one announced.
    "Files can be sent as raw bytes or can be multipart form encoded" (same page)."""
    key = request.match_info["key"]
    upload_for = next((f for f in state.files.values() if f.upload_key == key), None)
    if upload_for is None:
        return web.Response(status=404, text="unknown upload URL")
    if state.now() - upload_for.issued_at > UPLOAD_URL_SECONDS:
        return web.Response(status=410, text="upload URL expired")
    if upload_for.content is not None:
        return web.Response(status=409, text="upload URL already used")
    content = await _body_bytes(request)
    if len(content) != upload_for.length:
        return web.Response(
            status=400,
            text=f"length mismatch: announced {upload_for.length}, sent {len(content)}",
        )
    upload_for.content = content
    return web.Response(status=200, text=f"OK - {len(content)}")


async def _body_bytes(request: web.Request) -> bytes:
    """The uploaded bytes: the whole body, or the first file part of a multipart form."""
    if not request.content_type.startswith("multipart/"):
        return await request.read()
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader) and (part.filename or part.name == "file"):
            return bytes(await part.read())
    return b""


def _files_arg(value: Any) -> list[JSON] | None:
    """`files`: a JSON array of {id, title?} (a string in a form body). None if malformed."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(f, dict) and isinstance(f.get("id"), str) for f in value):
        return None
    return value


def _channel_error(state: FakeState, channel_id: str) -> str | None:
    """Where completeUploadExternal may share a file.

    `channel_id` takes conversation ids only, not user ids ("input must match regex pattern:
    ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]", https://github.com/slackapi/bolt-js/issues/2115):
    a U… id is `invalid_arguments`. A conversation the app cannot see is `channel_not_found`,
    as for chat.postMessage. Sharing needs real membership: chat:write.public does not let an
    app share files where it was never invited, Slack answers `not_in_channel`
    (https://github.com/getnao/nao/issues/1372).
    """
    if not conversations.CHANNEL_ID.match(channel_id):
        return "invalid_arguments"
    conv = conversations.find(state, channel_id)
    if conv is None or not conversations.visible_to_app(conv):
        return "channel_not_found"
    if conv.archived:
        return "is_archived"
    if not conv.bot_member:
        return "not_in_channel"
    return None


async def complete_upload(state: FakeState, params: JSON) -> JSON:
    """files.completeUploadExternal: refuses a malformed `files` (`invalid_arguments`), a file
    id never issued, never uploaded or already completed (`file_not_found`, "Could not find the
    file from the upload ticket"), and a channel it may not share in (`_channel_error`). With
    a channel, the file is shared there in a message whose text is `initial_comment`; without,
    it stays private ("If not specified the file will be private")."""
    refused = _scope_error(state)
    if refused:
        return refused
    wanted = _files_arg(params.get("files"))
    if wanted is None:
        return error("invalid_arguments")
    uploads: list[tuple[FileUpload, str]] = []
    for item in wanted:
        found = state.files.get(item["id"])
        if found is None or found.content is None or found.completed:
            return error("file_not_found")
        uploads.append((found, as_str(item.get("title")) or found.filename))
    channel_id = as_str(params.get("channel_id"))
    if channel_id:
        problem = _channel_error(state, channel_id)
        if problem:
            return error(problem)
    for found, title in uploads:
        found.completed, found.title = True, title
        if channel_id:
            found.channels.append(channel_id)
    shown = [file_object(state, found) for found, _ in uploads]
    if channel_id:
        _share(state, channel_id, as_str(params.get("initial_comment")), shown, params)
    return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shown]}


def _share(
    state: FakeState, channel_id: str, comment: str, files: list[JSON], params: JSON
) -> None:
    ident = state.identity
    message: JSON = {
        "type": "message",
        "subtype": "file_share",
        "ts": state.next_ts(),
        "user": ident.bot_user_id,
        "bot_id": ident.bot_id,
        "app_id": ident.app_id,
        "team": ident.team_id,
        "text": comment,
        "files": files,
        "upload": True,
        "channel": channel_id,
    }
    if params.get("thread_ts"):
        message["thread_ts"] = as_str(params["thread_ts"])
    state.messages.setdefault(channel_id, []).append(message)


def file_object(state: FakeState, found: FileUpload) -> JSON:
    """The file as Slack describes it (the fields a reader of a message uses)."""
    link = f"{state.base_url}_fake/files/{found.id}/content"
    return {
        "id": found.id,
        "name": found.filename,
        "title": found.title or found.filename,
        "mimetype": "text/csv" if found.filename.endswith(".csv") else "application/octet-stream",
        "filetype": found.filename.rsplit(".", 1)[-1] if "." in found.filename else "binary",
        "size": found.length,
        "user": state.identity.bot_user_id,
        "created": int(found.issued_at),
        "url_private": link,
        "url_private_download": f"{link}?download=1",
        "channels": list(found.channels),
    }
