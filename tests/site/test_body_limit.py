"""A request body over MAX_REQUEST_BYTES is refused with 413 in front of Django, before it is stored."""

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from fairytales.asgi import application

pytestmark = pytest.mark.django_db


def post(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, bytes, int]:
    """Send a POST to the site's ASGI application; return the status, the body, and how many chunks it read."""
    scope = {"type": "http", "method": "POST", "path": "/accounts/login/", "headers": headers, "query_string": b"",
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5)}

    async def run():
        app = ApplicationCommunicator(application, scope)
        for i, chunk in enumerate(chunks):
            await app.send_input({"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1})
        start = await app.receive_output(10)
        body = await app.receive_output(10)
        read = len(chunks) - app.input_queue.qsize()
        await app.wait(1)
        return start["status"], body["body"], read

    return async_to_sync(run)()


def test_a_declared_huge_body_is_refused_before_it_is_read(settings):
    status, body, read = post([(b"content-length", str(20 * 2**30).encode())], [b"x" * 1000] * 5)
    assert status == 413 and "Слишком большой запрос" in body.decode()
    assert read == 0


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(settings, monkeypatch):
    monkeypatch.setattr(application.application_mapping["http"], "max_bytes", 10_000)
    status, _, read = post([(b"content-type", b"application/x-www-form-urlencoded")], [b"x" * 4000] * 10)
    assert status == 413 and read <= 4


def test_an_ordinary_post_still_reaches_the_site():
    status, _, _ = post([(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"7")],
                        [b"a=1&b=2"])
    assert status == 403  # Django's CSRF check answered: the request got through
