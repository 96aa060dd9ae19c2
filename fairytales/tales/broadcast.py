"""Sending a tale's changes to the browsers watching it (the database stays the truth)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def send(group: str, payload: dict) -> None:
    """Best effort: a watcher who misses a message gets the state from the snapshot on reconnect."""
    _group_send(group, {"type": "tale.event", "payload": payload})


def recheck_access(group: str) -> None:
    """Who may see the tale can have changed: each watcher asks again (``TaleProgressConsumer.tale_access``)."""
    _group_send(group, {"type": "tale.access"})


def _group_send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # noqa: BLE001 - progress must never break the pipeline
        log.warning("could not send %s to %s", event["type"], group, exc_info=True)
