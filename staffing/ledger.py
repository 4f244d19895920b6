"""The ledger models of staffing, declared once: their pages and their API (see ``core.registry``)."""

from core.registry import Ledger, register

from . import models, views
from .api import views as api

register(
    Ledger(models.Organ, "organs", api.OrganViewSet, views.organs),
    Ledger(models.Nameplate, "nameplates", api.NameplateViewSet, views.nameplates),
    Ledger(models.HeadcountQuota, "headcount-quotas", api.HeadcountQuotaViewSet, views.quotas),
    Ledger(models.FilledPosts, "filled-posts", api.FilledPostsViewSet, views.filled),
    Ledger(models.Secondment, "secondments", api.SecondmentViewSet, views.secondments),
    Ledger(models.StaffingPolicy, "staffing-policies", api.StaffingPolicyViewSet, views.policies),
)
