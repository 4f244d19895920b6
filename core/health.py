"""What /healthz checks: the services a page needs, each cheap enough for a load balancer's frequent calls.

A check is a function that returns when its service answers and raises when it does not; those that
do not apply to this deployment (an in-process cache, no broker, no manifest) are skipped.
"""

import logging
from functools import lru_cache

import redis
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection

logger = logging.getLogger(__name__)

# The stylesheet templates/base.html links on every page: without its manifest entry every page is a 500.
PAGE_ASSETS = ("css/app.css",)
# Seconds a broker check may wait: a load balancer must hear "failing" long before its own timeout.
BROKER_TIMEOUT = 1


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True


def _cache():
    cache = caches["default"]
    # A per-process cache cannot be down; only a shared one (Redis) can fail the pages that use it.
    if isinstance(cache, LocMemCache | DummyCache):
        return False
    cache.get("healthz")
    return True


@lru_cache(maxsize=4)
def _redis_client(url):
    # One client per process and URL, so each check reuses a pooled connection instead of opening one.
    return redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)


def _broker():
    if not settings.REDIS_URL:
        return False  # tasks run in-process
    _redis_client(settings.REDIS_URL).ping()
    return True


def _static():
    # Only a manifest storage can lack what a page's {% static %} asks for; the plain one serves any name.
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return False
    for name in PAGE_ASSETS:
        staticfiles_storage.stored_name(name)  # raises when collectstatic wrote no entry for it
    return True


CHECKS = {"database": _database, "cache": _cache, "broker": _broker, "static": _static}


def health_checks():
    """Run every check; return ``{name: "ok" | "failing" | "not configured"}``, logging why a check fails."""
    results = {}
    for name, check in CHECKS.items():
        try:
            applies = check()
        except Exception:
            logger.warning("health check %s failing", name, exc_info=True)
            results[name] = "failing"
        else:
            results[name] = "not configured" if applies is False else "ok"
    return results
