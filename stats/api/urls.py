from rest_framework.routers import SimpleRouter

from .views import AlertViewSet, FigureViewSet, PowerFigureViewSet, RecomputeRunViewSet

app_name = "stats-api"

router = SimpleRouter()
router.register("power-figures", PowerFigureViewSet, basename="power-figure")
router.register("figures", FigureViewSet, basename="figure")
router.register("alerts", AlertViewSet, basename="alert")
router.register("recompute-runs", RecomputeRunViewSet, basename="recompute-run")

urlpatterns = router.urls
