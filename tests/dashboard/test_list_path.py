"""The ledger list a dashboard figure links to, resolved once per process (``stats.dashboards.list_path``)."""

from django.test import override_settings
from django.urls import include, path, reverse, set_script_prefix

from stats.dashboards import list_path

# Another URL configuration, the ledger lists under another path.
urlpatterns = [path("ledger/delegation/", include("delegation.urls"))]


def test_a_list_path_is_the_path_reverse_gives():
    assert list_path("delegation:powers_list") == reverse("delegation:powers_list") == "/delegation/powers/"


def test_a_list_path_follows_the_script_prefix_the_site_is_served_under():
    list_path("delegation:powers_list")  # resolved under the root first
    set_script_prefix("/tracker/")
    try:
        assert list_path("delegation:powers_list") == "/tracker/delegation/powers/"
    finally:
        set_script_prefix("/")
    assert list_path("delegation:powers_list") == "/delegation/powers/"


def test_a_list_path_follows_the_url_configuration():
    list_path("delegation:powers_list")
    with override_settings(ROOT_URLCONF=__name__):
        assert list_path("delegation:powers_list") == "/ledger/delegation/powers/"
