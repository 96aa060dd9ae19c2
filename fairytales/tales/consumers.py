"""The tale page's websocket: a snapshot from the database on connect, then live updates."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from .models import Tale
from .snapshot import localize, snapshot


def _language(scope) -> str:
    """The page's language, which it names in the address (``?lang=en``); else the site's default."""
    from urllib.parse import parse_qs  # noqa: PLC0415

    asked = parse_qs(scope.get("query_string", b"").decode("ascii", "replace")).get("lang", [""])[0]
    return asked if asked in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class TaleProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = None
        self.language = _language(self.scope)
        self.tale_id = self.scope["url_route"]["kwargs"]["tale_id"]
        tale = await self._visible_tale(self.tale_id)
        if tale is None:
            await self.close(code=4403)
            return
        self.group = tale.group_name
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(await database_sync_to_async(self._snapshot)(tale))

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Watchers only listen; anything they send is ignored."""

    async def tale_event(self, event):
        with translation.override(self.language):  # the worker wrote it in its language, this reader has theirs
            payload = localize(event["payload"])
        await self.send_json(payload)

    async def tale_access(self, event):
        """The tale was made private, hidden or deleted (signals.recheck_watchers): a watcher who may no longer
        see it is let go, as one who was never allowed is (4403)."""
        if await self._visible_tale(self.tale_id) is None:
            await self.close(code=4403)

    def _snapshot(self, tale):
        with translation.override(self.language):
            return localize(snapshot(tale))

    @database_sync_to_async
    def _visible_tale(self, tale_id):
        tale = Tale.objects.filter(pk=tale_id).first()
        if tale is None or not tale.can_view(self.scope["user"]):
            return None
        return tale
