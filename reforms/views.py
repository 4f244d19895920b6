"""Browser pages for towns, plans and tasks, documents and assessment, and the town overview."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from core.scoping import visible
from core.ui import LedgerUI, query_without

from . import filters, forms, models, selectors

NS = "reforms"

towns = LedgerUI(
    model=models.Town,
    filterset=filters.TownFilterSet,
    form=forms.TownForm,
    slug="towns",
    columns=["code", "name", "county__name", "category", "population", "area_km2"],
    select_related=("county",),
    namespace=NS,
)
documents = LedgerUI(
    model=models.SourceDocument,
    filterset=filters.SourceDocumentFilterSet,
    form=forms.SourceDocumentForm,
    slug="documents",
    columns=["number", "title", "issuer", "issued_on", "period", "region__name"],
    select_related=("region",),
    namespace=NS,
)
memberships = LedgerUI(
    model=models.ProgrammeMembership,
    filterset=filters.ProgrammeMembershipFilterSet,
    form=forms.ProgrammeMembershipForm,
    slug="memberships",
    columns=["town__name", "programme__name", "joined_on", "left_on", "status"],
    select_related=("town", "programme"),
    namespace=NS,
)
plans = LedgerUI(
    model=models.ReformPlan,
    filterset=filters.ReformPlanFilterSet,
    form=forms.ReformPlanForm,
    slug="plans",
    columns=["town__name", "title", "document__number", "adopted_on"],
    select_related=("town", "document"),
    namespace=NS,
)
tasks = LedgerUI(
    model=models.ReformTask,
    filterset=filters.ReformTaskFilterSet,
    form=forms.ReformTaskForm,
    slug="tasks",
    columns=["plan__town__name", "title", "lead_unit", "cooperating_units", "deadline", "status", "completed_on"],
    select_related=("plan__town",),
    namespace=NS,
)
schemes = LedgerUI(
    model=models.AssessmentScheme,
    filterset=filters.AssessmentSchemeFilterSet,
    form=forms.AssessmentSchemeForm,
    slug="schemes",
    columns=["name", "region__name", "subject", "county_weight", "town_weight", "min_town_weight", "valid_from"],
    select_related=("region",),
    namespace=NS,
)
scores = LedgerUI(
    model=models.AssessmentScore,
    filterset=filters.AssessmentScoreFilterSet,
    form=forms.AssessmentScoreForm,
    slug="scores",
    columns=["town__name", "scheme__name", "assessed_unit", "year", "county_score", "town_score"],
    select_related=("town", "scheme"),
    namespace=NS,
)
annual = LedgerUI(
    model=models.TownAnnualAssessment,
    filterset=filters.TownAnnualAssessmentFilterSet,
    form=forms.TownAnnualAssessmentForm,
    slug="annual-assessments",
    columns=["town__name", "year", "score", "grade", "rank_in_county"],
    select_related=("town",),
    namespace=NS,
)

plans.children = [(tasks, "plan")]


@login_required
@require_safe
def town_page(request, pk):
    """One town's reform case: every strand in sections, each linking to its full filtered list."""
    town = get_object_or_404(selectors.town_list(user=request.user), pk=pk)
    context = selectors.town_overview(user=request.user, town=town)
    return render(request, "reforms/town_page.html", context)


TOWNS_PER_PAGE = 50


@login_required
@require_safe
def editor_home(request):
    """The towns in the user's scope with their key figures, a page at a time, searchable by name or code.

    Paged because a provincial reviewer's scope holds thousands of towns.
    """
    search = request.GET.get("q", "")
    towns = selectors.town_key_figures(user=request.user, search=search)
    page = Paginator(towns, TOWNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"towns": page.object_list, "page": page, "q": search, "query_no_page": query_without(request, "page")}
    return render(request, "reforms/my_towns.html", context)


@login_required
@require_safe
def document_check(request):
    """Every source document's figures beside the ledger's at the document's period; prints on A4.

    ``?region=<code>`` or ``?town=<code>`` keeps the documents about that region or town (the dashboards
    link here so); out of scope answers 404.
    """
    region = town = None
    if code := request.GET.get("town"):
        town = get_object_or_404(selectors.town_list(user=request.user), code=code)
    elif code := request.GET.get("region"):
        region = get_object_or_404(visible(request.user, models.Region), code=code)
    documents = selectors.document_checks(user=request.user, region=region, town=town)
    return render(request, "reforms/document_check.html", {"documents": documents, "about": town or region})
