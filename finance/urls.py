from core.registry import page_urls

app_name = "finance"

urlpatterns = page_urls(app_name)
