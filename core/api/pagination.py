"""Pagination: page numbers for modest collections, cursors for the large ones."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class LedgerPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LedgerCursorPagination(CursorPagination):
    """Delegated powers and case counts grow by the million; a cursor stays fast and never skips rows.

    The default order is the primary key, which is unique and never changes, so a client walking the
    pages while others write sees every row exactly once. A requested order ends on the primary key
    too (``core.api.filters.LedgerOrderingFilter``): DRF's cursor keeps the last row's first sort key
    plus an offset among the rows sharing it, which only holds if ties come back in one fixed order.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"
