"""What a web process builds on its first requests, built once before it serves any.

gunicorn's master calls ``warm_up`` after loading the application and before it forks its workers
(``config/gunicorn.py``): each worker then starts with the URL patterns resolved, the translation
catalogues read and the project's templates compiled, instead of building them on its first pages
while users wait behind them.
"""

from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines
from django.urls import get_resolver
from django.utils import translation


def project_templates(engine=None):
    """The names of the project's own templates (its ``templates/`` and its apps'), not third parties',
    that ``engine`` (the Django one by default) finds."""
    engine = engine or engines["django"]
    names = set()
    for directory in map(Path, engine.template_dirs):
        if settings.BASE_DIR not in directory.parents or "site-packages" in directory.parts:
            continue
        names.update(path.relative_to(directory).as_posix() for path in directory.rglob("*.html"))
    return sorted(names)


def warm_up():
    """Resolve the URL patterns, read every language's catalogue and compile the project's templates;
    returns the names of the templates compiled. Opens no database connection, and leaves none open for
    the forked workers to share."""
    get_resolver().reverse_dict  # noqa: B018 (reading it fills the resolver's lookups)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("台账")
    names = []
    for engine in engines.all():  # each engine compiles the templates it finds itself
        for name in project_templates(engine):
            engine.get_template(name)
            names.append(name)
    connections.close_all()
    return names
