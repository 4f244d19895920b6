"""Sorting of API lists: the order asked for, then the primary key, so that ties never reorder."""

from rest_framework.filters import OrderingFilter


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
