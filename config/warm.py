"""Work a server process does once, when it starts, rather than in its first request: the
territory's point index (geo/lookup.py) takes 2–3 s to build for the demo district, and the
first report reaching each new worker would wait for it."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections

from geo.lookup import territory_index

logger = logging.getLogger(__name__)


def warm() -> None:
    """Build this process's indexes now. With no database yet (not migrated) or none reachable,
    nothing: the first request that needs the index builds it, as it would have anyway."""
    try:
        territory_index()
    except DatabaseError as error:
        logger.warning("Not warmed, the database is not ready: %s", error)
    finally:
        # No connection left open: under `gunicorn --preload` this runs in the master, whose
        # connection every forked worker would otherwise share.
        connections.close_all()
