"""API v1: one router for the ledger models of ``core.registry``, the schema and its readers (Swagger UI, ReDoc)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core.api.docs import redoc_bundle
from core.registry import api_routes
from reforms.api.views import DocumentCheckViewSet
from territory.api.views import CallFigureViewSet

router = DefaultRouter()
router.include_root_view = False
# Read-only views over the ledger that are not ledger models themselves.
READ_ONLY_ROUTES = [("document-checks", DocumentCheckViewSet), ("call-figures", CallFigureViewSet)]
for prefix, viewset in [*api_routes(), *READ_ONLY_ROUTES]:
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
