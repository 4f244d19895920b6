from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import otp, pickers
from core import views as core_views
from stats.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on their own, before reading the page's <link rel="icon">.
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", otp.otp_verify, name="otp_verify"),
    path("accounts/otp/setup/", otp.otp_setup, name="otp_setup"),
    path("i18n/", include("django.conf.urls.i18n")),
    # What a region or town picker finds as one types, within the user's scope (core.pickers).
    path("pickers/<str:kind>/", pickers.lookup, name="picker_lookup"),
    path("admin/", admin.site.urls),
    path("towns/", include("reforms.urls")),
    path("delegation/", include("delegation.urls")),
    path("staffing/", include("staffing.urls")),
    path("finance/", include("finance.urls")),
    path("territory/", include("territory.urls")),
    path("dashboard/", include("stats.urls")),
    path("api/v1/", include("config.api_urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Unmatched paths under /api/ answer with the API's JSON error body; pages keep the HTML one.
handler404 = "core.api.exceptions.api_not_found"
handler500 = "core.views.server_error"
