"""Browser pages for organs, nameplates, headcount, filled posts, secondments and staffing policies."""

from core.ui import LedgerUI

from . import filters, forms, models

NS = "staffing"

organs = LedgerUI(
    model=models.Organ,
    filterset=filters.OrganFilterSet,
    form=forms.OrganForm,
    slug="organs",
    columns=["town__name", "name", "kind", "is_mandatory", "parent_department__name"],
    select_related=("town", "parent_department"),
    namespace=NS,
)
nameplates = LedgerUI(
    model=models.Nameplate,
    filterset=filters.NameplateFilterSet,
    form=forms.NameplateForm,
    slug="nameplates",
    columns=["organ__town__name", "organ__name", "name"],
    select_related=("organ__town",),
    namespace=NS,
)
quotas = LedgerUI(
    model=models.HeadcountQuota,
    filterset=filters.HeadcountQuotaFilterSet,
    form=forms.HeadcountQuotaForm,
    slug="quotas",
    columns=["town__name", "post_type", "approved", "effective_on"],
    select_related=("town",),
    namespace=NS,
)
filled = LedgerUI(
    model=models.FilledPosts,
    filterset=filters.FilledPostsFilterSet,
    form=forms.FilledPostsForm,
    slug="filled",
    columns=["town__name", "post_type", "filled", "as_of"],
    select_related=("town",),
    namespace=NS,
)
secondments = LedgerUI(
    model=models.Secondment,
    filterset=filters.SecondmentFilterSet,
    form=forms.SecondmentForm,
    slug="secondments",
    columns=["town__name", "staff_reference", "borrowing_unit", "joined_town_on", "starts_on", "ends_on"],
    select_related=("town",),
    namespace=NS,
)
policies = LedgerUI(
    model=models.StaffingPolicy,
    filterset=filters.StaffingPolicyFilterSet,
    form=forms.StaffingPolicyForm,
    slug="policies",
    columns=["town__name", "effective_on", "excellent_share_percent", "max_secondment_months"],
    select_related=("town",),
    namespace=NS,
)
organs.children = [(nameplates, "organ")]
