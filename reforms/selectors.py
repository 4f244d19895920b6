"""Read paths for regions and towns, always scoped to what the user may see."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import at_or_under, visible, visible_in_town

from .measures import LedgerFigure, ledger_figure
from .models import ReformPlan, ReportedFigure, SourceDocument, Town


def town_list(*, user):
    return visible(user, Town).select_related("county__parent__parent").order_by("code")


def _per_town(queryset, town_path, aggregate):
    """A correlated subquery: ``aggregate`` over ``queryset`` rows of the outer town, 0 when none."""
    sub = queryset.filter(**{town_path: OuterRef("pk")}).order_by().values(town_path).annotate(v=aggregate).values("v")
    return Coalesce(Subquery(sub), 0, output_field=sub.query.annotations["v"].output_field)


def town_search(queryset, text):
    """Towns whose name or code contains ``text`` (all when it is blank)."""
    text = text.strip()
    return queryset.filter(Q(name__icontains=text) | Q(code__contains=text)) if text else queryset


def town_key_figures(*, user, search=""):
    """The user's towns (those matching ``search``) with powers delegated / taken over, headcount
    approved / filled, promised / paid.

    Powers count as the dashboards count them today: those in force, taken over by today.
    Headcount counts administrative and institutional posts, each at its latest dated figure.
    One query for a page of towns: every figure is a correlated subquery, evaluated for that page only.
    """
    from delegation.models import DelegatedPower
    from delegation.selectors import in_force_q, taken_over_q
    from finance.models import FiscalArrangement, FiscalYearRecord
    from staffing.models import FilledPosts, HeadcountQuota, PostType
    from staffing.selectors import latest_headcount

    posts = [PostType.ADMINISTRATIVE, PostType.INSTITUTIONAL]
    quotas = latest_headcount(HeadcountQuota).filter(post_type__in=posts)
    filled = latest_headcount(FilledPosts).filter(post_type__in=posts)
    money = FiscalYearRecord.objects.filter(arrangement__unit=FiscalArrangement.Unit.YUAN)
    today = timezone.localdate()
    in_force = DelegatedPower.objects.filter(in_force_q(today))
    return town_search(town_list(user=user), search).annotate(
        powers_delegated=_per_town(in_force, "town", Count("pk")),
        powers_taken_over=_per_town(in_force.filter(taken_over_q(today)), "town", Count("pk")),
        headcount_approved=_per_town(quotas, "town", Sum("approved")),
        headcount_filled=_per_town(filled, "town", Sum("filled")),
        promised=_per_town(money, "arrangement__town", Sum("promised")),
        paid=_per_town(money, "arrangement__town", Sum("paid")),
    )


SECTION_SIZE = 10


def town_overview(*, user, town):
    """Every strand of one town, a first page of each, for the town page.

    ``town`` is one of ``town_list(user=user)``: its strands are read by the town alone.
    """
    from delegation.models import DelegatedPower
    from delegation.selectors import DerivedState, derived_state_counts
    from finance.models import FiscalArrangement, FiscalYearRecord
    from staffing.models import FilledPosts, HeadcountQuota, Organ, Secondment

    from .models import AssessmentScore, ReformTask, TownAnnualAssessment

    def scoped(model):
        return visible_in_town(user, model, town)

    powers = scoped(DelegatedPower)
    counts = derived_state_counts(powers)
    return {
        "town": town,
        "plans": scoped(ReformPlan).select_related("document"),
        "tasks": scoped(ReformTask).select_related("plan")[:SECTION_SIZE],
        "task_count": scoped(ReformTask).count(),
        "powers": powers.select_related("item__source_department")[:SECTION_SIZE],
        "power_count": powers.count(),
        "power_states": [(DerivedState.LABELS[k], v) for k, v in counts.items()],
        "organs": scoped(Organ).prefetch_related("nameplates").select_related("parent_department"),
        "quotas": scoped(HeadcountQuota),
        "filled": scoped(FilledPosts)[:SECTION_SIZE],
        "secondments": scoped(Secondment)[:SECTION_SIZE],
        "scores": scoped(AssessmentScore).select_related("scheme")[:SECTION_SIZE],
        "annual": scoped(TownAnnualAssessment),
        "arrangements": scoped(FiscalArrangement),
        "years": scoped(FiscalYearRecord).select_related("arrangement")[:SECTION_SIZE],
    }


@dataclass(frozen=True)
class FigureCheck:
    """One document figure beside the ledger's figure at the document's period.

    ``status``: ``equal`` (for a lower bound "余": the ledger reaches it), ``differs`` (``difference`` is
    ledger − document) or ``not_held`` (the ledger keeps no such figure).
    """

    figure: ReportedFigure
    ledger: LedgerFigure | None
    status: str
    difference: Decimal | None

    STATUS_LABELS = {"equal": _("一致"), "differs": _("不一致"), "not_held": _("台账未掌握")}

    @property
    def status_label(self):
        return self.STATUS_LABELS[self.status]


def figure_check(figure, period):
    """Compare one reported figure with the ledger at ``period`` (None: the document has no period)."""
    scope = figure.town or figure.region
    ledger = ledger_figure(scope, period, figure.measure) if period else None
    if ledger is None:
        return FigureCheck(figure, None, "not_held", None)
    difference = Decimal(ledger.value) - figure.value
    reached = difference >= 0 if figure.is_lower_bound else difference == 0
    return FigureCheck(figure, ledger, "equal" if reached else "differs", difference)


def _figures_about(figures, region=None, town=None):
    """Figures about ``town`` or ``region``: their own, those of the regions above and under them."""
    if town is not None:
        return figures.filter(
            Q(town=town) | Q(town__isnull=True, region__in=[town.county_id, *_ancestors(town.county)])
        )
    if region is not None:
        return figures.filter(at_or_under("region", region.pk) | Q(region__in=_ancestors(region)))
    return figures


def _ancestors(region):
    ids = []
    while region.parent_id:
        ids.append(region.parent_id)
        region = region.parent
    return ids


def document_checks(*, user, region=None, town=None, document_id=None):
    """The visible documents (about ``region`` or ``town`` when given), each with its figures checked.

    Returns [{"document", "period", "checks": [FigureCheck]}], documents with no visible figure left out.
    """
    figures = visible(user, ReportedFigure).select_related("document", "region__parent", "town__county")
    figures = _figures_about(figures, region, town).filter(document__in=visible(user, SourceDocument))
    if document_id is not None:
        figures = figures.filter(document_id=document_id)
    by_document: dict[SourceDocument, list[ReportedFigure]] = {}
    for figure in figures.order_by("document__period", "document_id", "pk"):
        by_document.setdefault(figure.document, []).append(figure)
    return [
        {
            "document": document,
            "period": document.figure_period(),
            "checks": [figure_check(f, document.figure_period()) for f in rows],
        }
        for document, rows in by_document.items()
    ]


def document_check(*, user, document):
    """One visible document with its visible figures checked (none when it reports none)."""
    checks = document_checks(user=user, document_id=document.pk)
    return checks[0] if checks else {"document": document, "period": document.figure_period(), "checks": []}
