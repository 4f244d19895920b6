from django.urls import path

from core.registry import page_urls

from . import views

app_name = "reforms"

urlpatterns = [
    path("", views.editor_home, name="my_towns"),
    path("town/<int:pk>/", views.town_page, name="town_page"),
    path("documents/check/", views.document_check, name="document_check"),
    *page_urls(app_name),
]
