"""The ledger models of reforms, declared once: their pages and their API (see ``core.registry``)."""

from core.registry import Ledger, register

from . import models, views
from .api import views as api

register(
    Ledger(models.Region, "regions", api.RegionViewSet),
    Ledger(models.Town, "towns", api.TownViewSet, views.towns),
    Ledger(models.SourceDocument, "documents", api.SourceDocumentViewSet, views.documents),
    Ledger(models.ReportedFigure, "reported-figures", api.ReportedFigureViewSet),
    Ledger(models.PilotProgramme, "programmes", api.PilotProgrammeViewSet),
    Ledger(models.ProgrammeMembership, "programme-memberships", api.ProgrammeMembershipViewSet, views.memberships),
    Ledger(models.ReformPlan, "plans", api.ReformPlanViewSet, views.plans),
    Ledger(models.ReformTask, "tasks", api.ReformTaskViewSet, views.tasks),
    Ledger(models.AssessmentScheme, "assessment-schemes", api.AssessmentSchemeViewSet, views.schemes),
    Ledger(models.AssessmentScore, "assessment-scores", api.AssessmentScoreViewSet, views.scores),
    Ledger(models.TownAnnualAssessment, "annual-assessments", api.TownAnnualAssessmentViewSet, views.annual),
)
