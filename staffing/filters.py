import django_filters

from core.filters import LedgerFilterSet

from . import models


class OrganFilterSet(LedgerFilterSet):
    class Meta:
        model = models.Organ
        fields = ["kind", "is_mandatory"]


class NameplateFilterSet(LedgerFilterSet):
    class Meta:
        model = models.Nameplate
        fields = ["organ"]


class HeadcountQuotaFilterSet(LedgerFilterSet):
    class Meta:
        model = models.HeadcountQuota
        fields = ["post_type", "document"]


class FilledPostsFilterSet(LedgerFilterSet):
    as_of_from = django_filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_to = django_filters.DateFilter(field_name="as_of", lookup_expr="lte")

    class Meta:
        model = models.FilledPosts
        fields = ["post_type"]


class SecondmentFilterSet(LedgerFilterSet):
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = models.Secondment
        fields = ["under_service_agreement"]


class StaffingPolicyFilterSet(LedgerFilterSet):
    class Meta:
        model = models.StaffingPolicy
        fields = ["document"]
