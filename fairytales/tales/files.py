"""Serving a tale's files: only to those who may see the tale, with byte ranges so video seeks.

Files go out in bounded chunks whatever the range, so fifty viewers of a film do not hold fifty copies of it:
under ASGI the body is an async iterator (Django consumes a synchronous one whole before sending, see
docs/stack.md). Behind a front web server, ``FILES_ACCEL_REDIRECT`` (nginx's ``X-Accel-Redirect``) or
``FILES_SENDFILE`` (``X-Sendfile``) hands the bytes to it after the permission check here.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from .models import Tale

# A browser plays a subtitle track only as text/vtt: known here whatever the machine's /etc/mime.types says.
mimetypes.add_type("text/vtt", ".vtt")

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
SAFE_NAME = re.compile(r"^[a-z0-9_.-]+$")
CHUNK = 64 * 1024


def tale_file(request, tale_id, name: str):
    tale = get_object_or_404(Tale, pk=tale_id)
    if not tale.can_view(request.user) or not SAFE_NAME.match(name):
        raise Http404
    path = tale.folder / name
    if not path.is_file():
        raise Http404
    return _handed_to_front_server(path) or _ranged(request, path)


def _handed_to_front_server(path: Path) -> HttpResponse | None:
    """An empty response that tells nginx (or another front server) which file to send, when configured."""
    accel, sendfile = settings.FILES_ACCEL_REDIRECT, settings.FILES_SENDFILE
    if not (accel or sendfile):
        return None
    response = HttpResponse(content_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    if accel:
        relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + relative.as_posix()
    else:
        response["X-Sendfile"] = str(path.resolve())
    return response


def _ranged(request, path: Path):
    size = path.stat().st_size
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    start, end, status = 0, size - 1, 200
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:  # a suffix: the last N bytes
            start, end = max(0, size - int(last)), size - 1
        if start > end or start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    chunks = _async_chunks if isinstance(request, ASGIRequest) else _chunks
    response = StreamingHttpResponse(chunks(path, start, end), status=status, content_type=content_type)
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _chunks(path: Path, start: int, end: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


async def _async_chunks(path: Path, start: int, end: int):
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        await asyncio.to_thread(handle.seek, start)
        left = end - start + 1
        while left > 0:
            chunk = await asyncio.to_thread(handle.read, min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()
