from . import views

app_name = "staffing"

urlpatterns = [
    *views.organs.urls(),
    *views.nameplates.urls(),
    *views.quotas.urls(),
    *views.filled.urls(),
    *views.secondments.urls(),
    *views.policies.urls(),
]
