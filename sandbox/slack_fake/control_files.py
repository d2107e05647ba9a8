"""Control routes for uploaded files: what was uploaded and shared, and the bytes themselves
(the download link the console shows, and what tests read through `testing.SlackFake`)."""

from __future__ import annotations

from aiohttp import web

from .api import STATE_KEY
from .file_methods import file_object


async def list_files(request: web.Request) -> web.Response:
    """Every file uploaded and completed, oldest first; `?channel=` only those shared there."""
    state = request.app[STATE_KEY]
    channel = request.query.get("channel")
    found = [
        file_object(state, f)
        for f in state.files.values()
        if f.completed and (channel is None or channel in f.channels)
    ]
    return web.json_response(found)


async def file_content(request: web.Request) -> web.Response:
    """The bytes of an uploaded file (404 before they arrived); `?download=1` as an
    attachment, else shown inline."""
    state = request.app[STATE_KEY]
    found = state.files.get(request.match_info["file_id"])
    if found is None or found.content is None:
        raise web.HTTPNotFound(text="no such file")
    disposition = "attachment" if request.query.get("download") else "inline"
    safe_name = found.filename.replace('"', "")
    content_type = "text/csv" if found.filename.endswith(".csv") else "application/octet-stream"
    return web.Response(
        body=found.content,
        content_type=content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{safe_name}"'},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/_fake/files", list_files)
    app.router.add_get("/_fake/files/{file_id}/content", file_content)
