from django.urls import path

from . import views

app_name = "reforms"

urlpatterns = [
    path("", views.editor_home, name="my_towns"),
    path("town/<int:pk>/", views.town_page, name="town_page"),
    path("documents/check/", views.document_check, name="document_check"),
    *views.towns.urls(),
    *views.documents.urls(),
    *views.memberships.urls(),
    *views.plans.urls(),
    *views.tasks.urls(),
    *views.schemes.urls(),
    *views.scores.urls(),
    *views.annual.urls(),
]
