from django.urls import path

from core.registry import page_urls

from . import views

app_name = "territory"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("calls/new/", views.call_raise, name="call_raise"),
    path("calls/<int:pk>/<str:action>/", views.call_step, name="call_step"),
    path("import/items/", views.item_import, name="item_import"),
    path("import/items/confirm/", views.item_import_confirm, name="item_import_confirm"),
    path("import/items/template.xlsx", views.item_import_template, name="item_import_template"),
    *page_urls(app_name),
]
