"""The web server's warm-up: ``core.warmup``, run by ``config/gunicorn.py`` in the master before it forks."""

import gc
import logging

from django.template import engines

from config import gunicorn
from core.warmup import project_templates, warm_up


def _template_cache():
    loader = engines["django"].engine.template_loaders[0]  # the cached loader, with DEBUG off
    return loader, loader.get_template_cache


def test_the_warm_up_compiles_every_project_template_without_the_database():
    # No database access is allowed in this test: a warm-up that queried it would fail here, and one
    # that left a connection open would hand the same socket to every forked worker.
    loader, cache = _template_cache()
    loader.reset()
    names = warm_up()
    assert {"base.html", "stats/overview.html", "reforms/town_page.html", "territory/call_page.html"} <= set(names)
    # Third parties' own templates (the admin's, the API browser's) are compiled on first use.
    assert "admin/base.html" not in names
    assert "rest_framework/api.html" not in names
    assert set(names) <= set(cache)
    assert names == project_templates()


def test_the_master_freezes_what_it_loaded_before_forking():
    class Server:
        log = logging.getLogger("gunicorn.test")

    try:
        gunicorn.when_ready(Server())
        assert gc.get_freeze_count() > 10_000  # the application's modules, URL patterns and templates
    finally:
        gc.unfreeze()
    assert gunicorn.preload_app  # the workers are forked from the warmed master
