"""The ledger models of finance, declared once: their pages and their API (see ``core.registry``)."""

from core.registry import Ledger, register

from . import models, views
from .api import views as api

register(
    Ledger(models.FiscalArrangement, "fiscal-arrangements", api.FiscalArrangementViewSet, views.arrangements),
    Ledger(models.FiscalYearRecord, "fiscal-year-records", api.FiscalYearRecordViewSet, views.years),
)
