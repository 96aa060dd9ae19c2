"""A request body may not be larger than MAX_REQUEST_BYTES: refused with 413 before anything is stored.

This has to sit in front of Django: under ASGI Django reads the whole body into a temporary file before any
view or middleware sees the request, so a 20 GB POST to the log-in form would be spooled to disk first.
"""

from __future__ import annotations

TOO_LARGE = "Слишком большой запрос.".encode()


class BodyLimit:
    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await _refuse(send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:  # a chunked body that declared no length
                    raise BodyTooLarge()
            return message

        try:
            return await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            return await _refuse(send)


class BodyTooLarge(Exception):
    pass


async def _refuse(send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": TOO_LARGE})
