"""Serving a tale's files: only to those who may see the tale, with byte ranges so video seeks."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404

from .models import Tale

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
SAFE_NAME = re.compile(r"^[a-z0-9_.-]+$")


def tale_file(request, tale_id, name: str):
    tale = get_object_or_404(Tale, pk=tale_id)
    if not tale.can_view(request.user) or not SAFE_NAME.match(name):
        raise Http404
    path = tale.folder / name
    if not path.is_file():
        raise Http404
    return _ranged(request, path)


def _ranged(request, path: Path):
    size = path.stat().st_size
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    match = RANGE.match(request.headers.get("Range", "").strip())
    if not match or not (match.group(1) or match.group(2)):
        response = FileResponse(open(path, "rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    else:  # a suffix: the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with open(path, "rb") as handle:
        handle.seek(start)
        body = handle.read(end - start + 1)
    response = HttpResponse(body, status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
