from django.urls import path

from core.registry import page_urls

from . import views

app_name = "delegation"

urlpatterns = [
    path("powers/<int:pk>/paper-only/", views.paper_only_evidence, name="paper_only_evidence"),
    path("inspections/<int:pk>/score-sheet/", views.score_sheet, name="score_sheet"),
    path("towns/<int:pk>/editions/", views.town_editions, name="town_editions"),
    path("import/catalogue/", views.catalogue_import, name="catalogue_import"),
    path("import/case-counts/", views.case_count_import, name="case_count_import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    *page_urls(app_name),
]
