"""Database calls of a tale being made that outlive a database restart.

A worker holds its connection for the whole run; when PostgreSQL restarts, the next query on it fails. The
runner's store calls (and the node tasks' bookkeeping) reconnect and try again for up to DB_RECONNECT_SECONDS,
so a tale being made waits out the restart instead of failing. Only outside a transaction: inside one, the
whole transaction is lost with the connection, and the caller's own error handling takes over.
"""

from __future__ import annotations

import functools
import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

log = logging.getLogger(__name__)


def reconnecting(method):
    @functools.wraps(method)
    def call(*args, **kwargs):
        deadline = time.monotonic() + settings.DB_RECONNECT_SECONDS
        while True:
            try:
                return method(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if connection.in_atomic_block or time.monotonic() > deadline:
                    raise
                log.warning("the database connection failed (%s); reconnecting", str(exc).strip()[:200])
                connection.close()
                time.sleep(1.0)

    return call
