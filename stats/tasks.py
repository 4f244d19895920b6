"""Celery tasks of the statistics engine; each takes ids and calls a service.

A town edit first writes the outbox (``PendingRecompute``) and only then asks the broker for a
drain, so an unreachable broker delays a recompute but never loses it: the next drain or the nightly
run catches up.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from kombu.exceptions import OperationalError

from config.celery import app

from . import services

logger = logging.getLogger(__name__)

DRAIN_QUEUED_KEY = "stats:drain-queued"
RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5}
LIMITS = {"soft_time_limit": 20 * 60, "time_limit": 25 * 60}


@shared_task(name="stats.recompute_all", **RETRY, **LIMITS)
def recompute_all_task(triggered_by="nightly"):
    run = services.recompute_nightly(triggered_by=triggered_by)
    return run.pk


@shared_task(name="stats.drain_pending", **RETRY, soft_time_limit=5 * 60, time_limit=6 * 60)
def drain_pending_task():
    cache.delete(DRAIN_QUEUED_KEY)
    # Beat sends this every 15 minutes: also the moment to close the records of runs that died.
    services.runs_reap()
    run = services.pending_drain()
    return run.pk if run else None


def queue_drain():
    """Ask for a drain in a few seconds unless one is already queued, so a burst coalesces."""
    countdown = settings.STATS_COALESCE_SECONDS
    if not app.conf.task_always_eager and not cache.add(DRAIN_QUEUED_KEY, 1, timeout=countdown + 60):
        return
    # Either way the outbox row is written: the next drain or the nightly run picks the town up.
    try:
        drain_pending_task.apply_async(countdown=countdown, retry=False)
    except OperationalError:
        cache.delete(DRAIN_QUEUED_KEY)
        logger.warning("statistics: broker unreachable, recompute left in the outbox", exc_info=True)
    except Exception:
        # Eager mode runs the drain here; its failure must not fail the save that triggered it.
        logger.exception("statistics: in-process recompute failed, left in the outbox")


def on_town_touched(sender, town_ids, since=None, calls_changed=True, calls_since=None, **kwargs):
    """Receiver of ``core.signals.town_touched`` (sent after commit)."""
    services.pending_mark(town_ids, since=since, calls_changed=calls_changed, calls_since=calls_since)
    queue_drain()
