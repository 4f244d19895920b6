"""Writes of reforms beyond the generic ledger services: a county's towns added from the official list."""

from django.db import transaction

from core import services

from .divisions import official_towns
from .models import Town


@transaction.atomic
def add_official_towns(county, codes, *, user):
    """Create the towns ``codes`` of ``county`` with their official names and codes; returns them.

    Each goes through ``core.services.record_create`` (scope, validation, history, audit); a code the
    list does not hold under the county is refused there, and then nothing is written.
    """
    names = dict(official_towns(county.code).filter(code__in=codes).values_list("code", "name"))
    return [
        services.record_create(Town, user=user, data={"code": code, "name": names.get(code, ""), "county": county})
        for code in codes
    ]
