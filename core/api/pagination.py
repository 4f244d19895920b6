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
