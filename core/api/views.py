"""The viewset every ledger model's API uses: scoped reads, writes through services, ETag locking."""

from rest_framework import status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.scoping import scope_relations, visible
from core.services import record_create, record_delete, record_update

from .exceptions import PreconditionFailed, PreconditionRequired
from .pagination import LedgerCursorPagination
from .permissions import LedgerPermission
from .rows import row_plan

OBJECT_ACTIONS = {"retrieve", "create", "update", "partial_update"}


def etag(version):
    return f'"{version}"'


def parse_if_match(header):
    """The versions named by an If-Match header (``"3"``, ``W/"3"``, ``3``, a list of them, or ``*``)."""
    tags = (tag.strip().removeprefix("W/").strip('"') for tag in header.split(","))
    return {tag for tag in tags if tag}


class ScopedQuerysetMixin:
    """Lists and lookups start from ``core.scoping.visible``: out of scope is 404, never listed."""

    ordering = ["id"]
    related = ()  # to-one relations the serializer reads, joined in the same query
    prefetch = ()  # to-many relations, one extra query per list rather than one per row

    @property
    def model(self):
        return self.serializer_class.Meta.model

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.model._default_manager.none()
        queryset = visible(self.request.user, self.model).prefetch_related(*self.prefetch)
        related = [*self.related]
        if self.request.method not in SAFE_METHODS:
            related += scope_relations(self.model)  # the permission's scope check reads them
        return queryset.select_related(*related) if related else queryset

    def filter_queryset(self, queryset):
        # A lookup by id with no query parameters: the filters, search and ordering would each pass
        # every row, and building them costs more than the lookup itself.
        if (self.lookup_url_kwarg or self.lookup_field) in self.kwargs and not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        """The page of rows in scope; read as columns where the serializer allows (``core.api.rows``)."""
        plan = row_plan(self.get_serializer_class())
        if plan is None:
            return super().list(request, *args, **kwargs)
        # A cursor reads its position from the row's order fields, so they are read even if not shown.
        allowed = getattr(self, "ordering_fields", None)
        order = [name.lstrip("-") for name in [*self.ordering, *(allowed if isinstance(allowed, list | tuple) else ())]]
        queryset = plan.values(self.filter_queryset(self.get_queryset()), *order)
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(plan.represent(queryset))
        return self.get_paginated_response(plan.represent(page))


class LedgerViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """CRUD over one model. Subclasses set ``serializer_class``, ``filterset_class``, search and ordering.

    Writes go through ``core.services``; PUT, PATCH and DELETE require the version read as ``If-Match``.
    """

    permission_classes = [LedgerPermission]

    def expected_version(self, instance):
        """The version the client read (from If-Match): 428 when absent, 412 when stale."""
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        versions = parse_if_match(header)
        # RFC 9110 13.1.1: "*" matches any current representation (the record exists: we just read it).
        if "*" not in versions and str(instance.version) not in versions:
            raise PreconditionFailed()
        return instance.version

    def perform_create(self, serializer):
        serializer.instance = record_create(self.model, user=self.request.user, data=serializer.validated_data)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = self.expected_version(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        serializer.instance = record_update(
            instance, user=request.user, data=serializer.validated_data, expected_version=expected
        )
        return Response(serializer.data)  # the saved row, through the serializer that validated it

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        record_delete(instance, user=request.user, expected_version=self.expected_version(instance))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        is_object = self.action in OBJECT_ACTIONS and response.status_code < 300 and isinstance(data, dict)
        if is_object and "version" in data:
            response["ETag"] = etag(data["version"])
        return response


class LedgerCursorViewSet(LedgerViewSet):
    """For the large collections: cursor pagination in a stable order."""

    pagination_class = LedgerCursorPagination


class ReadOnlyLedgerViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data kept by administrators elsewhere (regions): read-only over the API."""
