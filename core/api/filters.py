"""The API's filters: django-filter's, built for the parameters a request names; sorting with ties broken."""

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter


def named(name, params):
    """Whether the query ``params`` give the filter ``name`` a value: its own key, or one of its
    widget's (a range widget reads ``name_min`` and ``name_max``)."""
    return name in params or any(key.startswith(f"{name}_") for key in params)


class LedgerFilterBackend(DjangoFilterBackend):
    """django-filter's backend, validating only the filters the request names.

    A filter the query leaves out filters nothing (``tests/api/test_filters.py`` holds every API filter
    set to that), yet django-filter builds and copies a form field for each of them on every request:
    18 for the delegated powers, ~7 % of an API list page of 100 rows. Errors and results are the same.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        params = request.query_params
        filterset.filters = {name: f for name, f in filterset.filters.items() if named(name, params)}
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


class LedgerOrderingFilter(OrderingFilter):
    """DRF's ``ordering`` parameter with the primary key as the last sort key.

    Rows that tie on the requested key come back in no fixed order; a client paging through them
    would see some rows twice and others never. The key follows the first key's direction. The
    cursor lists (``LedgerCursorPagination``) take their order from here too.
    """

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering or None
