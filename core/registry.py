"""The registry of ledger models: each is declared once, in its app's ``ledger.py``.

A declaration names the model's browser pages (a ``core.ui.LedgerUI``: FilterSet, form, list and export
columns) and its API (prefix and viewset, which names the serializer and the FilterSet). The URL
configuration, the API router, the alerts' links to records and the test matrices read the registry,
so a model declared here has its pages, its endpoints and its tests without editing another file.

``core`` knows no domain app: it discovers each installed app's ``ledger`` module at start-up, as the
admin discovers ``admin`` modules (``CoreConfig.ready``).
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Ledger:
    """One ledger model as the site, the API and the tests see it.

    ``page`` is None for models kept by administrators and read over the API only (regions, figures
    reported by documents, pilot programmes). ``picked_by_number`` marks models with thousands of
    rows: a filter on them takes the record number typed in (links fill it in), not a drop-down.
    """

    model: Any
    api_prefix: str
    viewset: Any
    page: Any = None
    picked_by_number: bool = False

    @property
    def serializer(self):
        return self.viewset.serializer_class

    @property
    def filterset(self):
        return self.viewset.filterset_class

    @property
    def export_columns(self):
        """The columns of the list page, which its CSV and XLSX exports repeat."""
        if self.page is None:
            return []
        return self.page.export_columns or self.page.columns

    @property
    def scope_path(self):
        """The lookup from a row to the region that decides who may see and change it."""
        return self.model.scope_path

    @property
    def town_path(self):
        return self.model.town_path

    @property
    def factory_name(self):
        """The test factory of the model in ``tests/factories.py``, named after the model."""
        return f"{self.model.__name__}Factory"


_LEDGERS: dict[Any, Ledger] = {}


def register(*ledgers):
    """Declare ledger models; called by each app's ``ledger.py`` when it is imported."""
    for ledger in ledgers:
        if ledger.model in _LEDGERS:
            raise ValueError(f"{ledger.model.__name__} is declared twice in the ledger registry")
        if ledger.page is not None and not ledger.page.namespace:
            ledger.page.namespace = ledger.model._meta.app_label
        _LEDGERS[ledger.model] = ledger


def autodiscover():
    autodiscover_modules("ledger")


def ledgers(app_label=None):
    """Every declared ledger model, in the order of INSTALLED_APPS, then of each app's declarations."""
    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    found = [entry for entry in _LEDGERS.values() if app_label in (None, entry.model._meta.app_label)]
    return sorted(found, key=lambda entry: order[entry.model._meta.app_label])


def ledger_for(model):
    """The declaration of ``model``, or None when it is no ledger model."""
    return _LEDGERS.get(model)


def page_for(model):
    """The browser pages of ``model``, or None when it has none."""
    entry = _LEDGERS.get(model)
    return entry.page if entry else None


def page_urls(app_label):
    """The URL patterns of every page of the app's ledger models, for the app's ``urls.py``."""
    return [pattern for entry in ledgers(app_label) if entry.page for pattern in entry.page.urls()]


def api_routes():
    """``(prefix, viewset)`` of every ledger model, for the API router."""
    return [(entry.api_prefix, entry.viewset) for entry in ledgers()]


def region_model():
    """The model of the region tree that scopes every row (``settings.LEDGER_REGION_MODEL``)."""
    return apps.get_model(settings.LEDGER_REGION_MODEL)


def town_model():
    """The model of the towns, the rows that are their own town (``settings.LEDGER_TOWN_MODEL``)."""
    return apps.get_model(settings.LEDGER_TOWN_MODEL)
