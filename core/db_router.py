"""Reads that may go to the streaming read replica, and everything else to the primary.

A replica replays the primary's WAL a little behind it, so only reads that can stand a stale answer go
there: those of a safe-method request (GET, HEAD, OPTIONS: dashboards, lists, details, the API's
reads), before the request has written anything and outside any transaction. Writes, every read of a
write request (POST, PUT, PATCH, DELETE), every read inside ``transaction.atomic`` (the services lock
and check versions there), Celery tasks, management commands and migrations use the primary.

A client that has just written keeps reading from the primary for ``REPLICA_PIN_SECONDS`` (a cookie),
so the page that follows a save shows the save even while the replica is behind.

Enabled by ``DATABASE_REPLICA_URL`` (``DATABASES["replica"]``); ``REPLICA_READS=0`` sends every read
back to the primary, e.g. while the replica lags far behind. A replica that does not answer is left
alone for ``REPLICA_RETRY_SECONDS`` while the primary serves every read.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "trk_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Set per request by ReplicaReadsMiddleware; a thread or task outside a request never reads the replica.
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)
# Per process: until this time.monotonic(), the replica is taken as down and not even tried.
_replica_down_until = 0.0


def replica_enabled():
    """Whether a replica is configured and reads may use it (``REPLICA_READS``)."""
    return REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", False)


def replica_answers():
    """Whether the replica can be reached; a replica that cannot is not tried again for a while.

    Without this, a replica that went down would fail every page; with it, pages read from the primary
    until the replica is back (each process retries after ``REPLICA_RETRY_SECONDS``).
    """
    global _replica_down_until  # one flag per process, shared by its threads
    if time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        # A connection kept from an earlier request may have died with the replica: CONN_HEALTH_CHECKS'
        # check (once per request, as Django would make at the first query) drops it, then reconnect.
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError:
        logger.warning("read replica unreachable: reading from the primary", exc_info=True)
        _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        return False
    return True


@contextmanager
def replica_reads():
    """Let the reads inside the block go to the replica (until the block writes), as a GET request does."""
    allowed, wrote = _replica_allowed.set(True), _wrote.set(False)
    try:
        yield
    finally:
        _replica_allowed.reset(allowed)
        _wrote.reset(wrote)


def _primary_only(model):
    # Sessions, logins, lockouts, second factors, tokens and the audit chain decide who may do what:
    # a change to them (a logout, a revoked token) must hold from the very next request.
    labels = settings.REPLICA_PRIMARY_ONLY
    return model._meta.app_label in labels or model._meta.label_lower in labels


class ReplicaRouter:
    """Send safe reads to the replica while a ``replica_reads`` block allows it; all else to the primary."""

    def db_for_read(self, model, **hints):
        if not (_replica_allowed.get() and replica_enabled()) or _wrote.get() or _primary_only(model):
            return DEFAULT_DB_ALIAS
        # Inside a transaction on the primary a read may be deciding a write: it must see the primary.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        # Every later read of the same request must see this write, which the replica may not have yet.
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both databases hold the same rows: a row read from the replica may point at one from the primary
        # (or at a row not saved yet, whose database is None).
        if {obj1._state.db, obj2._state.db} <= {None, DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is read-only and receives the schema through the WAL.
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Open a ``replica_reads`` block for each safe-method request, unless the client has just written.

    After a write request the client is pinned to the primary for ``REPLICA_PIN_SECONDS`` by a cookie,
    so that the page it is sent to next shows what it saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_enabled():
            return self.get_response(request)
        if request.method in SAFE_METHODS:
            if PIN_COOKIE in request.COOKIES or not replica_answers():
                return self.get_response(request)
            with replica_reads():
                return self.get_response(request)
        response = self.get_response(request)
        response.set_cookie(
            PIN_COOKIE,
            "1",
            max_age=settings.REPLICA_PIN_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response
