from . import views

app_name = "finance"

urlpatterns = [*views.arrangements.urls(), *views.years.urls()]
