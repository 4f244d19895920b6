"""The ledger models of territory, declared once: their pages and their API (see ``core.registry``)."""

from core.registry import Ledger, register

from . import models, views
from .api import views as api

register(
    Ledger(models.ResponsibilityList, "responsibility-lists", api.ResponsibilityListViewSet, views.lists),
    Ledger(models.ResponsibilityItem, "responsibility-items", api.ResponsibilityItemViewSet, views.items),
    Ledger(models.CallPolicy, "call-policies", api.CallPolicyViewSet, views.policies),
    Ledger(models.Call, "calls", api.CallViewSet, views.calls),
)
