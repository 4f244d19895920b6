"""Pagination: page numbers for modest collections, cursors for the large ones."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class LedgerPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LedgerCursorPagination(CursorPagination):
    """Delegated powers and case counts grow by the million; a cursor stays fast and never skips rows.

    The default order is the primary key, which is unique and never changes, so a client walking the
    pages while others write sees every row exactly once.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"

    def get_ordering(self, request, queryset, view):
        """The requested order, then the primary key in the same direction, so that ties never reorder.

        DRF's cursor keeps the last row's first sort key plus an offset among rows sharing it; without
        a unique tie-breaker PostgreSQL may return tied rows in a different order on the next page, and
        a client then sees some rows twice and others never.
        """
        ordering = list(super().get_ordering(request, queryset, view))
        if not any(field.lstrip("-") in {"id", "pk"} for field in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return tuple(ordering)
