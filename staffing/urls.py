from core.registry import page_urls

app_name = "staffing"

urlpatterns = page_urls(app_name)
