from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.home, name="home"),
    path("provinces/", views.provinces, name="provinces"),
    path("region/<str:code>/", views.region, name="region"),
    path("region/<str:code>/export.xlsx", views.region_export, name="region_export"),
    path("town/<str:code>/", views.town, name="town"),
    path("town/<str:code>/export.xlsx", views.town_export, name="town_export"),
    path("compare/", views.compare, name="compare"),
    path("compare/export.xlsx", views.compare_export, name="compare_export"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/export.xlsx", views.alerts_export, name="alerts_export"),
]
