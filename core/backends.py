"""The sign-in backend: Django's, loading a signed-in user with the regions it is scoped by."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# The user's region and the regions above it (a county's city and province): a three-level tree.
USER_REGIONS = "region__parent__parent"


class RegionModelBackend(ModelBackend):
    """Django's model backend, whose user of each request comes with its region and the regions above.

    Every page is scoped by the user's region (``core.scoping``): loaded with the user in one join, it
    costs no query of its own, a county clerk's rows are found by the county alone, and the reference
    rows that apply from above (a province's document) need no lookup of the city and the province.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(USER_REGIONS).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
