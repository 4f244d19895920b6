"""Browser pages for fiscal arrangements and what was promised and paid each year."""

from core.ui import LedgerUI

from . import filters, forms, models

NS = "finance"

arrangements = LedgerUI(
    model=models.FiscalArrangement,
    filterset=filters.FiscalArrangementFilterSet,
    form=forms.FiscalArrangementForm,
    slug="arrangements",
    columns=["town__name", "title", "kind", "unit", "promised_per_year", "from_year", "until_year"],
    select_related=("town",),
    namespace=NS,
)
years = LedgerUI(
    model=models.FiscalYearRecord,
    filterset=filters.FiscalYearRecordFilterSet,
    form=forms.FiscalYearRecordForm,
    slug="years",
    columns=["arrangement__town__name", "arrangement__title", "year", "amount_due", "promised", "paid", "due_on"],
    select_related=("arrangement__town",),
    namespace=NS,
)
arrangements.children = [(years, "arrangement")]
