"""The base of every FilterSet: filter by region (any level) and by town, by their codes.

FilterSets are defined once per model in each app's ``filters.py`` and used by both the HTML lists
and the API, so a filter a clerk uses in the browser is the filter an engineer uses over HTTP.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LedgerFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(
        method="filter_region", label=_("区域代码"), help_text=_("省、市或县的 6 位区划代码")
    )
    town = django_filters.CharFilter(method="filter_town", label=_("镇代码"), help_text=_("12 位统计用区划代码"))

    def filter_region(self, queryset, name, value):
        path = queryset.model.scope_path
        code = f"{path}__code" if path else "code"
        parent = f"{path}__parent" if path else "parent"
        return queryset.filter(
            Q(**{code: value}) | Q(**{f"{parent}__code": value}) | Q(**{f"{parent}__parent__code": value})
        )

    def filter_town(self, queryset, name, value):
        model = queryset.model
        if model.__name__ == "Town":
            return queryset.filter(code=value)
        if not model.town_path or not _leads_to_town(model, model.town_path):
            return queryset.none()
        return queryset.filter(**{f"{model.town_path}__code": value})


def _leads_to_town(model, path):
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model.__name__ == "Town"
