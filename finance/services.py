"""Write-side rules of fiscal support: the amount an arrangement's rule makes due for a year."""

from decimal import Decimal

# How many earlier years a rolling-average base covers (Guangtong: the five-year average).
ROLLING_YEARS = 5
CENT = Decimal("0.01")


def amount_due(arrangement, actual_revenue, base_amount=None):
    """What ``arrangement``'s rule makes due: the share of revenue above the base, or the promised sum.

    ``base_amount`` overrides the arrangement's fixed base (a base worked out by ``revenue_base``).
    """
    base = base_amount if base_amount is not None else arrangement.base_amount
    if arrangement.share_percent is not None and actual_revenue is not None and base is not None:
        above = max(Decimal(actual_revenue) - Decimal(base), Decimal(0))
        return (above * arrangement.share_percent / 100).quantize(CENT)
    return arrangement.promised_per_year


def revenue_base(arrangement, year):
    """The revenue base ``arrangement``'s rule compares ``year`` against, from earlier years' records.

    None when the records it needs are missing: the amount due cannot be worked out then.
    """
    base = arrangement.Base
    if arrangement.base_rule == base.PREVIOUS_YEAR:
        earlier = arrangement.year_records.filter(year=year - 1, actual_revenue__isnull=False).first()
        return earlier.actual_revenue if earlier else None
    if arrangement.base_rule == base.ROLLING_AVERAGE:
        revenues = list(
            arrangement.year_records.filter(
                year__gte=year - ROLLING_YEARS, year__lt=year, actual_revenue__isnull=False
            ).values_list("actual_revenue", flat=True)
        )
        if len(revenues) < ROLLING_YEARS:
            return None
        return (sum(revenues) / len(revenues)).quantize(CENT)
    return arrangement.base_amount


def fill_amount_due(record):
    """Set a year record's amount due from its arrangement's rule once the year's revenue is known.

    A figure the clerk typed in (a negotiated settlement, say) is kept as entered. Runs in the record's
    validation, so the browser forms, the API and the admin all fill it the same way before saving.
    """
    if record.amount_due is not None or record.actual_revenue is None or not record.arrangement_id:
        return
    arrangement = record.arrangement
    if arrangement.share_percent is None:
        return
    base = revenue_base(arrangement, record.year)
    if base is not None:
        record.amount_due = amount_due(arrangement, record.actual_revenue, base_amount=base)
