"""The sign-in backend: Django's, loading a signed-in user with the region it is scoped by."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class RegionModelBackend(ModelBackend):
    """Django's model backend, whose user of each request comes with its region.

    Every page is scoped by the user's region (``core.scoping``): loaded with the user in one join, it
    costs no query of its own, and a county clerk's rows are found by the county alone. Not the regions
    above it, as an API token's lookup does not load them either: two more joins cost every request
    more than they save the few lists of reference rows that look them up (docs/PERFORMANCE.md).
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("region").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
