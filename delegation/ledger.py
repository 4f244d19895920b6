"""The ledger models of delegation, declared once: their pages and their API (see ``core.registry``)."""

from core.registry import Ledger, register

from . import models, views
from .api import views as api

register(
    Ledger(models.Department, "departments", api.DepartmentViewSet, views.departments),
    Ledger(models.PowerItem, "power-items", api.PowerItemViewSet, views.items, picked_by_number=True),
    Ledger(models.DelegationCatalogue, "catalogues", api.DelegationCatalogueViewSet, views.catalogues),
    Ledger(models.DelegatedPower, "delegated-powers", api.DelegatedPowerViewSet, views.powers, picked_by_number=True),
    Ledger(models.MonthlyCaseCount, "case-counts", api.MonthlyCaseCountViewSet, views.case_counts),
    Ledger(models.Training, "trainings", api.TrainingViewSet, views.trainings),
    Ledger(models.TrainingCoverage, "training-coverage", api.TrainingCoverageViewSet, views.training_coverage),
    Ledger(models.InspectionRound, "inspections", api.InspectionRoundViewSet, views.inspections),
    Ledger(models.ScoreItem, "score-items", api.ScoreItemViewSet, views.score_items),
    Ledger(models.InspectionScore, "inspection-scores", api.InspectionScoreViewSet, views.inspection_scores),
    Ledger(models.ItemPoints, "inspection-item-points", api.ItemPointsViewSet, views.item_points),
    Ledger(models.Finding, "findings", api.FindingViewSet, views.findings),
)
