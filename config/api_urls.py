"""API v1: one router for every app, plus the schema and its two readers (Swagger UI, ReDoc)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core.api.docs import redoc_bundle
from delegation.api import views as delegation
from finance.api import views as finance
from reforms.api import views as reforms
from staffing.api import views as staffing

router = DefaultRouter()
router.include_root_view = False
for prefix, viewset in [
    ("regions", reforms.RegionViewSet),
    ("towns", reforms.TownViewSet),
    ("documents", reforms.SourceDocumentViewSet),
    ("reported-figures", reforms.ReportedFigureViewSet),
    ("programmes", reforms.PilotProgrammeViewSet),
    ("programme-memberships", reforms.ProgrammeMembershipViewSet),
    ("plans", reforms.ReformPlanViewSet),
    ("tasks", reforms.ReformTaskViewSet),
    ("assessment-schemes", reforms.AssessmentSchemeViewSet),
    ("assessment-scores", reforms.AssessmentScoreViewSet),
    ("annual-assessments", reforms.TownAnnualAssessmentViewSet),
    ("departments", delegation.DepartmentViewSet),
    ("power-items", delegation.PowerItemViewSet),
    ("catalogues", delegation.DelegationCatalogueViewSet),
    ("delegated-powers", delegation.DelegatedPowerViewSet),
    ("case-counts", delegation.MonthlyCaseCountViewSet),
    ("organs", staffing.OrganViewSet),
    ("nameplates", staffing.NameplateViewSet),
    ("headcount-quotas", staffing.HeadcountQuotaViewSet),
    ("filled-posts", staffing.FilledPostsViewSet),
    ("secondments", staffing.SecondmentViewSet),
    ("staffing-policies", staffing.StaffingPolicyViewSet),
    ("fiscal-arrangements", finance.FiscalArrangementViewSet),
    ("fiscal-year-records", finance.FiscalYearRecordViewSet),
]:
    router.register(prefix, viewset, basename=prefix)

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger-ui"),
    # Redoc injects <style> elements as it renders and searches in a web worker it builds from a blob:
    # URL; this one page allows inline styles and blob: workers, never inline scripts.
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    path("redoc/redoc.standalone.js", redoc_bundle, name="redoc-bundle"),
    path("stats/", include("stats.api.urls")),
    *router.urls,
]
